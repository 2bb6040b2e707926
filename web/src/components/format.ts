/** Numbers as the page writes them (the words around them come from the i18n catalogues). */

/** 0.2345 -> "23%", 0.004 -> "0.4%": whole percent, one decimal below 1% and above 99%. */
export function percent(p: number): string {
  const value = Math.min(Math.max(p, 0), 1) * 100;
  const text = value < 1 || value > 99 ? value.toFixed(1) : value.toFixed(0);
  return `${text}%`;
}

/** Round a probability to "about N of 100" (at least 1, at most 99: never "none" or "all"). */
export function perHundred(p: number): number {
  return Math.min(99, Math.max(1, Math.round(p * 100)));
}

/** "1.0.0+efficientnet-lite0.fp32" -> "1.0.0": the version people need, without build details. */
export function shortVersion(version: string): string {
  return version.split("+")[0] ?? version;
}

/**
 * Sentences joined the way the language writes them: a space after an English full stop, none
 * after a Chinese 。(and a heading gets the language's own full stop when `heading` is set).
 */
export function join(lang: "en" | "zh", parts: readonly string[], heading = false): string {
  const stop = lang === "zh" ? "。" : ".";
  const [first = "", ...rest] = parts;
  const lead = heading && !/[.。:：]$/.test(first) ? first + stop : first;
  return [lead, ...rest].join(sentenceGap(lang));
}

/** What goes between two sentences: a space in English, nothing after a Chinese 。 */
export const sentenceGap = (lang: "en" | "zh"): string => (lang === "zh" ? "" : " ");
