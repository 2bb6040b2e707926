import { useId, useRef } from "react";
import { useT } from "../i18n";
import { type Sign, SignPicture } from "./pictures";

const SIGNS: readonly Sign[] = ["a", "b", "c", "d", "e"];

/**
 * The ABCDE warning signs, short and illustrated, behind a button that every answer shows
 * (`abcde-open`); the guide itself is a modal dialog (`abcde`) that returns focus when closed.
 */
export function AbcdeGuide() {
  const { t } = useT();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const open = () => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (typeof dialog.showModal === "function") dialog.showModal();
    else dialog.setAttribute("open", "");
  };
  const close = () => {
    const dialog = dialogRef.current;
    if (dialog && typeof dialog.close === "function") dialog.close();
    else dialog?.removeAttribute("open");
  };
  return (
    <>
      <button type="button" className="button button--link abcde__open" data-testid="abcde-open" onClick={open}>
        {t("abcde.open")}
      </button>
      <dialog ref={dialogRef} className="abcde" data-testid="abcde" aria-labelledby={titleId}>
        <h2 id={titleId} className="abcde__title">
          {t("abcde.title")}
        </h2>
        <p>{t("abcde.intro")}</p>
        <ol className="abcde__signs">
          {SIGNS.map((sign) => (
            <li key={sign} className="abcde__sign" data-sign={sign}>
              <SignPicture sign={sign} usualLabel={t("abcde.usual")} warningLabel={t("abcde.warning")} />
              <p>
                <strong className="abcde__letter">{sign.toUpperCase()}</strong> {t(`abcde.${sign}`)}
              </p>
            </li>
          ))}
        </ol>
        <button type="button" className="button button--primary" data-testid="abcde-close" onClick={close}>
          {t("abcde.close")}
        </button>
      </dialog>
    </>
  );
}
