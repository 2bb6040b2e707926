import type { Check } from "../history/check";
import { type I18n, isMessageKey } from "../i18n";

/** Answers as "question: answer" lines, in the reader's language. */
export function answerLines(check: Pick<Check, "answers">, i18n: I18n): string[] {
  if (!check.answers) return [];
  return Object.entries(check.answers).map(([key, value]) => {
    const question = `report.q.${key}`;
    const answer = `report.a.${String(value)}`;
    const q = isMessageKey(question) ? i18n.t(question) : key;
    const a = typeof value !== "number" && isMessageKey(answer) ? i18n.t(answer) : String(value);
    return `${q}: ${a}`;
  });
}
