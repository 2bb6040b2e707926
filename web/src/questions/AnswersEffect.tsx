import type { Prediction } from "../api/types";
import { percent } from "../components/format";
import { type MessageKey, useT } from "../i18n";
import type { ModelCard } from "../inference/card";
import { type Answers, anyAnswer, type Field, strongest } from "./combine";

/** The answers the server echoed, as the page's type (nulls dropped). */
export function answersOf(result: Pick<Prediction, "answers">): Answers {
  const out: Answers = {};
  for (const [key, value] of Object.entries(result.answers ?? {})) {
    if (value !== null && value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

/**
 * `[data-testid="answers-effect"]`: how the answers moved the estimate, naming the answers that moved
 * it most ("your answers raised it from 31% to 58%: it has grown, it bleeds"). Shown only when answers
 * were given; the numbers are the server's (p_malignant_photo and p_malignant).
 */
export function AnswersEffect({ result, card }: { result: Prediction; card: ModelCard | null }) {
  const { t } = useT();
  const answers = answersOf(result);
  if (!anyAnswer(answers)) return null;
  const from = percent(result.p_malignant_photo);
  const to = percent(result.p_malignant);
  let text: string;
  if (from === to || !card?.questionnaire) {
    text = t("effect.same", { to });
  } else {
    const up = result.p_malignant > result.p_malignant_photo;
    const reasons = strongest(answers, card.questionnaire, up ? 1 : -1)
      .map((name) => phrase(t, name, answers))
      .join(t("effect.list_separator"));
    text = t(up ? "effect.raised" : "effect.lowered", { from, to, reasons });
  }
  return (
    <p className="answers-effect" data-testid="answers-effect">
      {text}
    </p>
  );
}

function phrase(t: (key: MessageKey, params?: Record<string, string | number>) => string, name: Field, a: Answers) {
  if (name === "age") return t("effect.age", { age: a.age ?? "" });
  return t(`effect.${name}.${a[name] === "yes" ? "yes" : "no"}` as MessageKey);
}
