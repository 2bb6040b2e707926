import { createContext, type ReactNode, useCallback, useContext, useLayoutEffect, useMemo, useState } from "react";
import {
  detectLang,
  formatDate,
  type Lang,
  LOCALES,
  type MessageKey,
  type Params,
  setActiveLang,
  translate,
} from "./translate";

export interface I18n {
  lang: Lang;
  /** The message for `key` in the current language, placeholders and plurals filled. */
  t: (key: MessageKey, params?: Params) => string;
  /** A date (with the time unless `dateOnly`) through Intl, in the current language. */
  date: (value: Date | number, dateOnly?: boolean) => string;
  setLang: (lang: Lang) => void;
}

function makeI18n(lang: Lang, setLang: (lang: Lang) => void): I18n {
  return {
    lang,
    t: (key, params) => translate(lang, key, params),
    date: (value, dateOnly) => formatDate(lang, value, dateOnly),
    setLang,
  };
}

/** Without a provider (single-component tests) everything is English. */
const I18nContext = createContext<I18n>(makeI18n("en", () => undefined));

export function useT(): I18n {
  return useContext(I18nContext);
}

/** The browser's choice: `?lang=`, else navigator.languages. */
export function initialLang(): Lang {
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  return detectLang(window.location.search, preferred);
}

/**
 * Holds the page language; switches `<html lang>`, the document title and `?lang=` with it, and
 * tells the API client (Accept-Language) through `setActiveLang`.
 */
export function I18nProvider({ children, lang: fixed }: { children: ReactNode; lang?: Lang }) {
  const [chosen, setLangState] = useState<Lang>(() => {
    const first = fixed ?? initialLang();
    setActiveLang(first);
    return first;
  });
  // A `lang` prop (tests, tools) fixes the language and follows the prop when it changes.
  const lang = fixed ?? chosen;

  const setLang = useCallback((next: Lang) => {
    setActiveLang(next);
    setLangState(next);
    const url = new URL(window.location.href);
    url.searchParams.set("lang", next);
    window.history.replaceState(window.history.state, "", url);
  }, []);

  useLayoutEffect(() => {
    setActiveLang(lang);
    document.documentElement.lang = LOCALES[lang];
    document.title = translate(lang, "app.title");
  }, [lang]);

  const value = useMemo(() => makeI18n(lang, setLang), [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}
