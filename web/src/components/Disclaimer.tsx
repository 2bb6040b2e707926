import { useT } from "../i18n";

/** Always on screen: the page is a research tool, not a diagnosis. */
export function Disclaimer() {
  const { t } = useT();
  return (
    <aside className="disclaimer" data-testid="disclaimer" aria-label={t("disclaimer.label")}>
      <strong>{t("disclaimer.strong")}</strong> {t("disclaimer.text")}
    </aside>
  );
}
