export { en, type MessageKey, type Messages } from "./en";
export { zh } from "./zh";
export { I18nProvider, initialLang, type I18n, useT } from "./I18nProvider";
export {
  activeLang,
  CATALOGUES,
  detectLang,
  format,
  formatDate,
  isMessageKey,
  type Lang,
  LANGS,
  LOCALES,
  parseLang,
  pluralForm,
  type Plural,
  type Params,
  setActiveLang,
  translate,
} from "./translate";
