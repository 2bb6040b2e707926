import { type ReactNode, useEffect, useRef } from "react";
import { useT } from "../i18n";

interface Props {
  message: string;
  code?: string | undefined;
  children?: ReactNode;
}

/**
 * A clear error with a way out (children: e.g. "Choose another photo"). It sits at the top of the
 * photo panel, so it is on screen on a phone, and takes focus like an error summary, so keyboard
 * and screen-reader users land on it.
 */
export function ErrorMessage({ message, code, children }: Props) {
  const { t } = useT();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const box = ref.current;
    if (!box) return;
    box.focus({ preventScroll: true });
    box.scrollIntoView?.({ block: "nearest" });
  }, [message]);
  return (
    <div ref={ref} className="error" role="alert" tabIndex={-1} data-testid="error" data-code={code}>
      <span className="error__icon" aria-hidden="true">
        !
      </span>
      <div className="error__body">
        <h3 id="error-heading" className="error__heading">
          {t("error.heading")}
        </h3>
        <p className="error__message">{message}</p>
        {children ? <div className="error__actions">{children}</div> : null}
      </div>
    </div>
  );
}
