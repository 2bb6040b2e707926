/**
 * English messages for "How well does it work?": the held-out figures of the loaded model file,
 * as `skinscan evaluate` measured them (reports/metrics.json). Part of the reference catalogue `en`.
 */
export const enFigures = {
  "figures.title": "How well does it work?",
  "figures.intro":
    "Measured by us on photos the model never learned from, at the score from which it asks for " +
    "a doctor’s look ({threshold}, “some concern” and above). " +
    "Your own photos may differ: these figures describe many photos, not your spot.",
  "figures.set": "Photo set",
  "figures.photos": "Photos",
  "figures.flagged": "Skin cancers it sent to a doctor",
  "figures.cleared": "Harmless spots it called low concern",
  "figures.auc": "Ranking (ROC AUC, 1 is perfect)",
  "figures.per100": "{n} of 100",
  "figures.set.kaggle": "ISIC test photos (dermoscopy)",
  "figures.set.ham10000": "HAM10000 held-out photos (dermoscopy)",
  "figures.set.pad-ufes-20": "PAD-UFES-20 held-out patients (phone photos, Brazil)",
  "figures.set.derm7pt": "Derm7pt (dermoscopy from other clinics, never used in training)",
  "figures.note":
    "It is set to miss few cancers, so it also sends harmless spots to a doctor: the fewer it calls " +
    "low concern, the more often a visit turns out to be about a harmless spot. Model {version}.",
} as const;
