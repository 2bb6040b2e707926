import { API_BASE } from "../config";
import { isMessageKey, LOCALES, useT } from "../i18n";
import type { ModelCard } from "../inference/card";
import { sentenceGap } from "./format";
import { ModelFiguresView, useFigures } from "./ModelFigures";

/**
 * What the model learned from (every training source the card lists, named in the page's language)
 * and, when the server publishes them, how well it did on held-out photos.
 */
export function SiteFooter({ card }: { card: ModelCard | null }) {
  const { t, lang } = useT();
  const names = (card?.sources ?? []).map((id) => {
    const key = `source.${id}`;
    return isMessageKey(key) ? t(key) : id;
  });
  const figures = useFigures();
  const list = new Intl.ListFormat(LOCALES[lang], { type: "conjunction" }).format(names);
  return (
    <footer className="site-footer" data-testid="footer">
      {figures?.sets.length ? <ModelFiguresView figures={figures} /> : null}
      <p>
        {t("app.footer")}
        {names.length > 0 ? sentenceGap(lang) + t("app.sources", { sources: list }) : null}{" "}
        <a href={`${API_BASE}/docs`}>{t("app.api_docs")}</a>
      </p>
    </footer>
  );
}
