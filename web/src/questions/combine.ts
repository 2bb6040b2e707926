/**
 * The questionnaire combined with the photo: the TypeScript twin of src/skinscan/questionnaire.py.
 * Both read the card's `questionnaire` section and compute the same number (a parity test checks
 * them against cases computed by the Python module, parity.fixture.json):
 *
 *   logit(p) = photo_weight * logit(p_photo) + each answered question's coefficient
 *              + age.per_year * (clip(age, low, high) - centre)
 *
 * "Don't know" or no answer adds nothing; with no answer that moves it, the result IS p_photo.
 */

export const QUESTIONS = ["grown", "changed", "bleeds", "itches", "hurts", "raised"] as const;
export type Question = (typeof QUESTIONS)[number];
export type Choice = "yes" | "no" | "unknown";
export const FIELDS = ["age", ...QUESTIONS] as const;
export type Field = (typeof FIELDS)[number];
export const AGE_MIN = 1;
export const AGE_MAX = 120;
const P_EPS = 1e-7;

/** What the person answered; absent = not answered. */
export interface Answers {
  age?: number;
  grown?: Choice;
  changed?: Choice;
  bleeds?: Choice;
  itches?: Choice;
  hurts?: Choice;
  raised?: Choice;
}

export interface AgeTerm {
  perYear: number;
  centre: number;
  low: number;
  high: number;
}

/** The card's `questionnaire` section, typed. */
export interface QuestionnaireSpec {
  photoWeight: number;
  terms: Partial<Record<Question, { yes: number; no: number }>>;
  age: AgeTerm | null;
}

function finite(value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new Error(`questionnaire.${where} must be a finite number`);
  }
  return value;
}

/** The section of a card's JSON, or null when the card has none (same checks as spec_from_card). */
export function parseQuestionnaire(block: unknown): QuestionnaireSpec | null {
  if (block === undefined || block === null) return null;
  if (typeof block !== "object") throw new Error("questionnaire must be an object");
  const b = block as Record<string, unknown>;
  const photoWeight = finite(b.photo_weight, "photo_weight");
  if (!(photoWeight > 0)) throw new Error("questionnaire.photo_weight must be > 0");
  const terms: QuestionnaireSpec["terms"] = {};
  const questions = (b.questions ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, entry] of Object.entries(questions)) {
    if (!(QUESTIONS as readonly string[]).includes(name)) throw new Error(`questionnaire.questions.${name}`);
    terms[name as Question] = { yes: finite(entry.yes, `${name}.yes`), no: finite(entry.no, `${name}.no`) };
  }
  const a = b.age as Record<string, unknown> | undefined;
  const age = a
    ? {
        perYear: finite(a.per_year, "age.per_year"),
        centre: finite(a.centre, "age.centre"),
        low: finite(a.low, "age.low"),
        high: finite(a.high, "age.high"),
      }
    : null;
  return { photoWeight, terms, age };
}

/** The questions the combination uses, in the API's order (age first when it is used). */
export function asked(spec: QuestionnaireSpec): Field[] {
  return FIELDS.filter((f) => (f === "age" ? spec.age !== null : spec.terms[f] !== undefined));
}

function logit(p: number): number {
  const q = Math.min(Math.max(p, P_EPS), 1 - P_EPS);
  return Math.log(q / (1 - q));
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Each answer's term on the log-odds scale, for the answers the combination uses, in FIELDS order. */
export function contributions(answers: Answers, spec: QuestionnaireSpec): Partial<Record<Field, number>> {
  const out: Partial<Record<Field, number>> = {};
  if (answers.age !== undefined && spec.age) {
    const { perYear, centre, low, high } = spec.age;
    out.age = perYear * (Math.min(Math.max(answers.age, low), high) - centre);
  }
  for (const name of QUESTIONS) {
    const choice = answers[name];
    const term = spec.terms[name];
    if (term && (choice === "yes" || choice === "no")) out[name] = term[choice];
  }
  return out;
}

/** The estimate with the answers; exactly `pPhoto` when no answer can move it. */
export function combine(pPhoto: number, answers: Answers, spec: QuestionnaireSpec | null): number {
  if (!spec) return pPhoto;
  const terms = contributions(answers, spec);
  const names = FIELDS.filter((f) => terms[f] !== undefined);
  if (names.length === 0) return pPhoto;
  let z = spec.photoWeight * logit(pPhoto);
  for (const name of names) z += terms[name] as number; // the same order as Python
  return sigmoid(z);
}

/** The answers that moved the estimate most in its direction (largest terms first), at most `n`. */
export function strongest(answers: Answers, spec: QuestionnaireSpec, direction: 1 | -1, n = 3): Field[] {
  const terms = contributions(answers, spec);
  return (Object.entries(terms) as [Field, number][])
    .filter(([, v]) => v * direction > 0)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
    .slice(0, n)
    .map(([name]) => name);
}

/** Drop what was not answered (for the request, the saved check and the report). */
export function given(answers: Answers): Answers {
  const out: Answers = {};
  if (answers.age !== undefined) out.age = answers.age;
  for (const name of QUESTIONS) if (answers[name]) out[name] = answers[name];
  return out;
}

/** True when the person answered anything (an age, or yes/no to some question). */
export function anyAnswer(answers: Answers): boolean {
  return answers.age !== undefined || QUESTIONS.some((q) => answers[q] === "yes" || answers[q] === "no");
}
