import type { Label, Risk } from "../api/types";
import type { Decision } from "../inference/decision";
import type { SteadyRule } from "../camera/steady";
import { type Answers, combine, type QuestionnaireSpec } from "./combine";

/** What the live view needs from the card: the threshold, the bands and the questionnaire. */
export type LiveRule = SteadyRule & { questionnaire?: QuestionnaireSpec | null };

/** A frame's decision with the answers applied to its p (label and band follow); refusals stay refusals. */
export function withAnswers(decision: Decision, rule: LiveRule, answers: Answers): Decision {
  if (decision.kind !== "answer" || !rule.questionnaire) return decision;
  const p = combine(decision.p, answers, rule.questionnaire);
  if (p === decision.p) return decision;
  const label: Label = p >= rule.threshold ? "malignant" : "benign";
  let risk: Risk = "low";
  for (const band of ["low", "medium", "high"] as const) if (p >= rule.risk_bands[band]) risk = band;
  return { kind: "answer", p, label, risk };
}
