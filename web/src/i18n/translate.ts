/**
 * Message lookup without React: the catalogues, `{name}` placeholders, plural forms chosen by
 * Intl.PluralRules (`{ one: "{count} check", other: "{count} checks" }`), the language
 * from `?lang=` or the browser, and dates through Intl. Non-React code (the API client) reads
 * `activeLang()`, which the provider keeps in step with the page.
 */
import { en, type MessageKey, type Messages, type Plural } from "./en";
import { zh } from "./zh";

export type Lang = "en" | "zh";
export type Params = Readonly<Record<string, string | number>>;
export type { MessageKey, Plural };

export const LANGS: readonly Lang[] = ["en", "zh"];
export const CATALOGUES: Readonly<Record<Lang, Messages>> = { en, zh };
/** BCP 47 tags for `<html lang>`, Intl and Accept-Language. */
export const LOCALES: Readonly<Record<Lang, string>> = { en: "en", zh: "zh-CN" };

/** "zh-Hans-CN" -> "zh", "en-GB" -> "en", anything else -> null. */
export function parseLang(value: string | null | undefined): Lang | null {
  const primary = value?.trim().toLowerCase().split(/[-_]/)[0];
  return LANGS.find((lang) => lang === primary) ?? null;
}

/** `?lang=` first, then the browser's preferred languages in order, then English. */
export function detectLang(search: string, preferred: readonly string[]): Lang {
  const fromUrl = parseLang(new URLSearchParams(search).get("lang"));
  if (fromUrl) return fromUrl;
  for (const tag of preferred) {
    const lang = parseLang(tag);
    if (lang) return lang;
  }
  return "en";
}

let active: Lang = "en";
/** The language of the page right now (for code outside React, such as the API client). */
export const activeLang = (): Lang => active;
export const setActiveLang = (lang: Lang): void => void (active = lang);

export type Message = string | Plural;

/** Fill `{name}` placeholders (numbers written the language's way); unknown ones stay visible. */
export function format(lang: Lang, message: string, params: Params = {}): string {
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === "number" ? new Intl.NumberFormat(LOCALES[lang]).format(value) : value;
  });
}

/** The form of a plural message for `count`, chosen by the language's plural rules. */
export function pluralForm(lang: Lang, message: Plural, count: number): string {
  return message[new Intl.PluralRules(LOCALES[lang]).select(count)] ?? message.other;
}

/** The message for `key` in `lang`; a plural message picks its form by `params.count`. */
export function translate(lang: Lang, key: MessageKey, params: Params = {}): string {
  const message: Message = CATALOGUES[lang][key];
  const text = typeof message === "string" ? message : pluralForm(lang, message, Number(params.count ?? 0));
  return format(lang, text, params);
}

/** Is this string a key of the catalogues (for codes that come from the server)? */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

/** A date (and, unless `dateOnly`, a time) the way people of this language write it. */
export function formatDate(lang: Lang, date: Date | number, dateOnly = false): string {
  const options: Intl.DateTimeFormatOptions = dateOnly
    ? { dateStyle: "medium" }
    : { dateStyle: "medium", timeStyle: "short" };
  return new Intl.DateTimeFormat(LOCALES[lang], options).format(date);
}
