import { useId } from "react";
import { useT } from "./I18nProvider";
import { type Lang, LANGS, LOCALES } from "./translate";

/** The language switch in the header; each language named in itself. */
export function LanguageSwitch() {
  const { t, lang, setLang } = useT();
  const id = useId();
  return (
    <div className="lang-switch">
      <label htmlFor={id}>{t("lang.label")}</label>
      <select id={id} data-testid="lang" value={lang} onChange={(event) => setLang(event.currentTarget.value as Lang)}>
        {LANGS.map((code) => (
          <option key={code} value={code} lang={LOCALES[code]}>
            {t(`lang.${code}`)}
          </option>
        ))}
      </select>
    </div>
  );
}
