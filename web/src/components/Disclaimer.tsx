import { useT } from "../i18n";
import { sentenceGap } from "./format";

/** Always on screen: the page is a research tool, not a diagnosis. */
export function Disclaimer() {
  const { t, lang } = useT();
  return (
    <aside className="disclaimer" data-testid="disclaimer" aria-label={t("disclaimer.label")}>
      <strong>{t("disclaimer.strong")}</strong>
      {sentenceGap(lang)}
      {t("disclaimer.text")}
    </aside>
  );
}
