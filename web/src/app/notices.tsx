import type { RefObject } from "react";
import type { PageError } from "../api/client";
import { ErrorMessage } from "../components/ErrorMessage";
import { Refusal } from "../components/Refusal";
import { type I18n, isMessageKey, useT } from "../i18n";

export const CAMERA_CODES = new Set([
  "camera_refused",
  "camera_absent",
  "camera_busy",
  "camera_failed",
  "camera_insecure",
]);
const ANOTHER_PHOTO_CODES = new Set([
  "not_an_image",
  "malformed_jpeg",
  "file_too_large",
  "too_large",
  "too_many_scans",
  "upload_too_large",
  "too_many_pixels",
  "unsupported_type",
  "corrupt_image",
  "empty_file",
  "unreadable_file",
]);
export const REFUSAL_CODES = new Set(["not_a_lesion", "photo_unusable"]);

/**
 * The words for an error, from its code (and numbers) in the page's current language: a code the
 * catalogue knows has its own message, anything else is worded by its HTTP status.
 */
export function errorText(error: PageError, t: I18n["t"]): string {
  const key = `error.${error.code}`;
  if (isMessageKey(key)) return t(key, error.params);
  const status = error.status ?? 0;
  if (status >= 500) return t("error.server");
  if (status === 413) return t("error.upload_too_large");
  if (status === 429) return t("error.rate_limited");
  if (status > 0) return t("error.http", { status });
  return t("error.unexpected");
}

/** The way out of an error, if there is one: which words, and it opens the photo picker. */
function actionFor(code: string): "error.upload_instead" | "error.choose_another" | "error.take_closer" | null {
  if (CAMERA_CODES.has(code)) return "error.upload_instead";
  if (ANOTHER_PHOTO_CODES.has(code)) return "error.choose_another";
  if (code === "image_too_small") return "error.take_closer";
  return null;
}

/** An error at the top of the photo panel, with its way out. */
export function PageErrorNotice({
  error,
  inputRef,
}: {
  error: PageError;
  inputRef: RefObject<HTMLInputElement | null>;
}) {
  const { t } = useT();
  const action = actionFor(error.code);
  if (REFUSAL_CODES.has(error.code)) {
    return <Refusal code={error.code} reasons={error.reasons} onRetry={() => inputRef.current?.click()} />;
  }
  return (
    <ErrorMessage message={errorText(error, t)} code={error.code}>
      {action ? (
        <button type="button" className="button button--secondary" onClick={() => inputRef.current?.click()}>
          {t(action)}
        </button>
      ) : null}
    </ErrorMessage>
  );
}
