import { useEffect, useRef } from "react";
import { isMessageKey, useT } from "../i18n";

interface Props {
  /** `not_a_lesion` | `photo_unusable` (the server's 422 code). */
  code: string;
  /** Machine reason codes, e.g. `out_of_focus`, `not_a_lesion`. */
  reasons: readonly string[];
  onRetry: () => void;
}

/**
 * A photo the model must not judge: what is wrong, what to do, and a way to try again, all worded
 * from the machine codes in the page's language (the server's hint is for API clients). It never
 * shows a probability (the server gives none for a refused photo). Like the error and the answer's
 * headline, it takes focus when it appears (and when it changes), so keyboard and screen-reader
 * users land on it rather than on <body>.
 */
export function Refusal({ code, reasons, onRetry }: Props) {
  const { t } = useT();
  const ref = useRef<HTMLElement>(null);
  const reasonList = reasons.join(" ");
  useEffect(() => {
    const box = ref.current;
    if (!box) return;
    box.focus({ preventScroll: true });
    box.scrollIntoView?.({ block: "nearest" });
  }, [code, reasonList]);
  const what = `refusal.${code}`;
  const reasonKeys = [...new Set(reasons)].map((r) => `reason.${r}`).filter(isMessageKey);
  const hintKeys = [...new Set(reasons)].map((r) => `hint.${r}`).filter(isMessageKey);
  return (
    <section
      ref={ref}
      className="refusal"
      tabIndex={-1}
      data-testid="refusal"
      data-code={code}
      data-reasons={reasonList}
      aria-labelledby="refusal-heading"
    >
      <h3 id="refusal-heading" className="refusal__heading">
        {t("refusal.heading")}
      </h3>
      {isMessageKey(what) ? <p>{t(what)}</p> : null}
      {reasonKeys.length ? (
        <ul className="refusal__reasons">
          {reasonKeys.map((key) => (
            <li key={key}>{t(key)}</li>
          ))}
        </ul>
      ) : null}
      {hintKeys.map((key) => (
        <p key={key} className="refusal__hint">
          {t(key)}
        </p>
      ))}
      <button type="button" className="button button--primary" onClick={onRetry}>
        {t("refusal.retry")}
      </button>
    </section>
  );
}
