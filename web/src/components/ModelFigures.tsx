import { useEffect, useState } from "react";
import { METRICS_URL } from "../config";
import { isMessageKey, LOCALES, useT } from "../i18n";
import { percent, perHundred, shortVersion } from "./format";

/** One held-out set's figures at the card's threshold, as `skinscan evaluate` wrote them. */
export interface SetFigures {
  id: string;
  photos: number;
  sensitivity: number;
  specificity: number;
  rocAuc: number;
}

/** The held-out measurements of the loaded model file (`/models/skinscan.metrics.json`). */
export interface ModelFigures {
  version: string;
  threshold: number;
  sets: SetFigures[];
}

/** Sets in the order the page lists them: the training sources' held-out parts, then the external set. */
const ORDER = ["kaggle", "ham10000", "pad-ufes-20", "derm7pt"];

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null;
const unit = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x) && x >= 0 && x <= 1;

function valueOf(entry: unknown): number | null {
  return isRecord(entry) && unit(entry.value) ? entry.value : null;
}

/**
 * reports/metrics.json -> the figures the page shows, or null when the file is not what
 * `skinscan evaluate` writes. A set without all four figures is left out, never shown half.
 */
export function parseFigures(raw: unknown): ModelFigures | null {
  if (!isRecord(raw) || !isRecord(raw.model) || !isRecord(raw.test) || !unit(raw.threshold)) return null;
  const version = raw.model.version;
  if (typeof version !== "string") return null;
  const test = raw.test;
  const sets: SetFigures[] = [];
  for (const id of [
    ...ORDER,
    ...Object.keys(test)
      .filter((k) => !ORDER.includes(k))
      .sort(),
  ]) {
    const entry = test[id];
    if (!isRecord(entry) || !isRecord(entry.n)) continue;
    const photos = entry.n.photos;
    const [sensitivity, specificity, rocAuc] = [entry.sensitivity, entry.specificity, entry.roc_auc].map(valueOf);
    if (typeof photos !== "number" || photos <= 0 || sensitivity == null || specificity == null || rocAuc == null) {
      continue;
    }
    sets.push({ id, photos, sensitivity, specificity, rocAuc });
  }
  return sets.length ? { version, threshold: raw.threshold, sets } : null;
}

/** The figures, fetched once (network first, the service worker keeps a copy for offline use); null without them. */
export function useModelFigures(): ModelFigures | null {
  const [figures, setFigures] = useState<ModelFigures | null>(null);
  useEffect(() => {
    let current = true;
    fetch(METRICS_URL)
      .then((response) => (response.ok ? response.json() : null))
      .then(
        (raw: unknown) => current && setFigures(parseFigures(raw)),
        () => undefined,
      );
    return () => {
      current = false;
    };
  }, []);
  return figures;
}

/** "How well does it work?": per held-out set, cancers sent to a doctor and harmless spots cleared, of 100. */
export function ModelFiguresView({ figures }: { figures: ModelFigures }) {
  const { t, lang } = useT();
  const auc = new Intl.NumberFormat(LOCALES[lang], { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const count = new Intl.NumberFormat(LOCALES[lang]);
  const name = (id: string) => {
    const key = `figures.set.${id}`;
    return isMessageKey(key) ? t(key) : id;
  };
  return (
    <details className="model-figures" data-testid="model-figures">
      <summary>{t("figures.title")}</summary>
      <p>{t("figures.intro", { threshold: percent(figures.threshold) })}</p>
      {/* Focusable, so a keyboard can scroll it when a narrow screen cuts the table. */}
      <div className="table-scroll" role="region" aria-label={t("figures.title")} tabIndex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("figures.set")}</th>
              <th scope="col">{t("figures.photos")}</th>
              <th scope="col">{t("figures.flagged")}</th>
              <th scope="col">{t("figures.cleared")}</th>
              <th scope="col">{t("figures.auc")}</th>
            </tr>
          </thead>
          <tbody>
            {figures.sets.map((set) => (
              <tr key={set.id} data-testid={`figures-${set.id}`}>
                <th scope="row">{name(set.id)}</th>
                <td data-label={t("figures.photos")}>{count.format(set.photos)}</td>
                <td data-label={t("figures.flagged")}>{t("figures.per100", { n: perHundred(set.sensitivity) })}</td>
                <td data-label={t("figures.cleared")}>{t("figures.per100", { n: perHundred(set.specificity) })}</td>
                <td data-label={t("figures.auc")}>{auc.format(set.rocAuc)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>{t("figures.note", { version: shortVersion(figures.version) })}</p>
    </details>
  );
}
