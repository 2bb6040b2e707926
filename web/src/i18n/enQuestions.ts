/**
 * English messages for the optional questionnaire: its questions, what each answer did to the
 * estimate, and the live view's note. Part of the reference catalogue `en` (en.ts merges them in).
 */
export const enQuestions = {
  "questions.legend": "A few questions (optional)",
  "questions.hint":
    "What the camera cannot see. Answer any or none: the photo alone still gets an answer. " +
    "Your answers go with the photo to the server for this one estimate and are not stored there.",
  "questions.age": "Your age (years)",
  "questions.age_invalid": "Age: a whole number of years from 1 to 120. It is left out until then.",
  "questions.grown": "Has the spot grown lately?",
  "questions.changed": "Has it changed (shape or colour)?",
  "questions.bleeds": "Does it bleed?",
  "questions.itches": "Does it itch?",
  "questions.hurts": "Does it hurt?",
  "questions.raised": "Is it raised above the skin?",
  "questions.yes": "Yes",
  "questions.no": "No",
  "questions.unknown": "Don't know",
  "questions.not_used": "(not used by this model)",
  "questions.limits":
    "How answers count was measured on one set of patients in Brazil (PAD-UFES-20, phone photos); " +
    "elsewhere it may count too much or too little. Answers never make a photo the model refused acceptable.",
  "effect.raised": "Your answers raised it from {from} to {to}: {reasons}.",
  "effect.lowered": "Your answers lowered it from {from} to {to}: {reasons}.",
  "effect.same": "Your answers did not change it ({to}).",
  "effect.list_separator": ", ",
  "effect.age": "your age ({age})",
  "effect.grown.yes": "it has grown",
  "effect.grown.no": "it has not grown",
  "effect.changed.yes": "it has changed",
  "effect.changed.no": "it has not changed",
  "effect.bleeds.yes": "it bleeds",
  "effect.bleeds.no": "it does not bleed",
  "effect.itches.yes": "it itches",
  "effect.itches.no": "it does not itch",
  "effect.hurts.yes": "it hurts",
  "effect.hurts.no": "it does not hurt",
  "effect.raised.yes": "it is raised",
  "effect.raised.no": "it is flat",
  "live.with_answers": "with your answers",
} as const;
