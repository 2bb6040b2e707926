/**
 * Message lookup without React: the catalogues, `{name}` placeholders, ICU-style plurals
 * (`{count, plural, one {# check} other {# checks}}`, chosen by Intl.PluralRules), the language
 * from `?lang=` or the browser, and dates through Intl. Non-React code (the API client) reads
 * `activeLang()`, which the provider keeps in step with the page.
 */
import { en, type MessageKey, type Messages } from "./en";
import { zh } from "./zh";

export type Lang = "en" | "zh";
export type Params = Readonly<Record<string, string | number>>;
export type { MessageKey };

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

/** Index of the brace that closes the one at `open`. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

function plural(lang: Lang, body: string, count: number): string {
  const options = new Map<string, string>();
  const option = /\s*(=\d+|zero|one|two|few|many|other)\s*\{/y;
  for (let m = option.exec(body); m; m = option.exec(body)) {
    const open = option.lastIndex - 1;
    const end = closing(body, open);
    if (end < 0) break;
    options.set(m[1]!, body.slice(open + 1, end));
    option.lastIndex = end + 1;
  }
  const category = new Intl.PluralRules(LOCALES[lang]).select(count);
  const chosen = options.get(`=${count}`) ?? options.get(category) ?? options.get("other") ?? "";
  return chosen.replace(/#/g, new Intl.NumberFormat(LOCALES[lang]).format(count));
}

/** Fill placeholders and plurals in one message. */
export function format(lang: Lang, message: string, params: Params = {}): string {
  let out = "";
  let i = 0;
  while (i < message.length) {
    const open = message.indexOf("{", i);
    if (open < 0) break;
    const end = closing(message, open);
    if (end < 0) break;
    out += message.slice(i, open);
    const inner = message.slice(open + 1, end);
    const pluralMatch = /^\s*(\w+)\s*,\s*plural\s*,(.*)$/s.exec(inner);
    if (pluralMatch) out += plural(lang, pluralMatch[2]!, Number(params[pluralMatch[1]!] ?? 0));
    else out += String(params[inner.trim()] ?? `{${inner}}`);
    i = end + 1;
  }
  return out + message.slice(i);
}

export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  return format(lang, CATALOGUES[lang][key], params);
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
