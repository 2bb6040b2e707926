import { type ReactNode, useEffect, useRef } from "react";

interface Props {
  message: string;
  code?: string | undefined;
  children?: ReactNode;
}

/** A clear, announced error with an optional way out (children: e.g. "Upload a photo instead"). */
export function ErrorMessage({ message, code, children }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // On a phone the result panel is below the fold: bring the message into view.
    ref.current?.scrollIntoView?.({ block: "nearest", behavior: "smooth" });
  }, [message]);
  return (
    <div ref={ref} className="error" role="alert" data-testid="error" data-code={code}>
      <span className="error__icon" aria-hidden="true">
        !
      </span>
      <div className="error__body">
        <p className="error__message">{message}</p>
        {children ? <div className="error__actions">{children}</div> : null}
      </div>
    </div>
  );
}
