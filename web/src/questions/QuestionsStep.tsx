import { useState } from "react";
import { useT } from "../i18n";
import { useAnswers } from "./AnswersContext";
import { AGE_MAX, AGE_MIN, type Choice, QUESTIONS, type QuestionnaireSpec } from "./combine";

/**
 * `[data-testid="questions"]`: the optional questionnaire (age and six yes / no / don't know
 * questions). A fieldset with a legend, a label per control; nothing is required, and the photo
 * path never waits for it. Questions the model's card does not use say so.
 */
export function QuestionsStep({ spec }: { spec: QuestionnaireSpec | null }) {
  const { t } = useT();
  const { answers, setAnswers } = useAnswers();
  const [ageText, setAgeText] = useState(answers.age === undefined ? "" : String(answers.age));
  const ageValid = ageText.trim() === "" || isAge(ageText);

  const onAge = (text: string) => {
    setAgeText(text);
    const next = { ...answers };
    if (isAge(text)) next.age = Number(text.trim());
    else delete next.age;
    setAnswers(next);
  };
  const onChoice = (name: (typeof QUESTIONS)[number], value: string) => {
    const next = { ...answers };
    if (value === "yes" || value === "no") next[name] = value as Choice;
    else delete next[name];
    setAnswers(next);
  };

  return (
    <section className="panel panel--questions" aria-labelledby="questions-legend">
      <fieldset className="questions" data-testid="questions">
        <legend id="questions-legend" className="panel__heading">
          {t("questions.legend")}
        </legend>
        <p className="questions__hint" id="questions-hint">
          {t("questions.hint")}
        </p>
        <div className="questions__row">
          <label htmlFor="q-age">{t("questions.age")}</label>
          <input
            id="q-age"
            data-testid="q-age"
            type="text"
            inputMode="numeric"
            autoComplete="off"
            maxLength={3}
            value={ageText}
            aria-invalid={!ageValid}
            aria-describedby={ageValid ? undefined : "q-age-error"}
            onChange={(event) => onAge(event.target.value)}
          />
          {ageValid ? null : (
            <p className="questions__error" id="q-age-error">
              {t("questions.age_invalid")}
            </p>
          )}
        </div>
        {QUESTIONS.map((name) => (
          <ChoiceRow key={name} name={name} spec={spec} value={answers[name]} onChange={onChoice} />
        ))}
        <p className="questions__limits">{t("questions.limits")}</p>
      </fieldset>
    </section>
  );
}

/** One yes / no / don't know question, marked when the model's card does not use it. */
function ChoiceRow({
  name,
  spec,
  value,
  onChange,
}: {
  name: (typeof QUESTIONS)[number];
  spec: QuestionnaireSpec | null;
  value: Choice | undefined;
  onChange: (name: (typeof QUESTIONS)[number], value: string) => void;
}) {
  const { t } = useT();
  return (
    <div className="questions__row">
      <label htmlFor={`q-${name}`}>
        {t(`questions.${name}`)}
        {spec && !spec.terms[name] ? <span className="questions__unused"> {t("questions.not_used")}</span> : null}
      </label>
      <select
        id={`q-${name}`}
        data-testid={`q-${name}`}
        value={value ?? "unknown"}
        onChange={(event) => onChange(name, event.target.value)}
      >
        <option value="unknown">{t("questions.unknown")}</option>
        <option value="yes">{t("questions.yes")}</option>
        <option value="no">{t("questions.no")}</option>
      </select>
    </div>
  );
}

function isAge(text: string): boolean {
  const trimmed = text.trim();
  return /^[0-9]{1,3}$/.test(trimmed) && Number(trimmed) >= AGE_MIN && Number(trimmed) <= AGE_MAX;
}
