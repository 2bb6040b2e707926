import { createContext, type ReactNode, useContext, useEffect, useState } from "react";
import type { Risk } from "../api/types";
import { METRICS_URL } from "../config";
import { type I18n, isMessageKey, LOCALES, useT } from "../i18n";
import { join, percent, perHundred, shortVersion } from "./format";

/** One held-out set's figures at the card's threshold, as `skinscan evaluate` wrote them. */
export interface SetFigures {
  id: string;
  photos: number;
  sensitivity: number;
  specificity: number;
  rocAuc: number;
}

/**
 * One risk band over the answered held-out test photos of all four lesion sets (`bands.all` in
 * metrics.json, `band_frequencies` in evaluate.py): how many got the band, how many were malignant.
 */
export interface BandFigures {
  photos: number;
  malignant: number;
  share: number;
}

/** The held-out measurements of the loaded model file (`/models/skinscan.metrics.json`). */
export interface ModelFigures {
  version: string;
  threshold: number;
  sets: SetFigures[];
  /** Per band, the measured share of skin cancers; a band missing or malformed in the file is absent. */
  bands: Partial<Record<Risk, BandFigures>>;
}

const RISKS: readonly Risk[] = ["low", "medium", "high"];

/** Sets in the order the page lists them: the training sources' held-out parts, then the external set. */
const ORDER = ["kaggle", "ham10000", "pad-ufes-20", "derm7pt"];

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null;
const unit = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x) && x >= 0 && x <= 1;

function valueOf(entry: unknown): number | null {
  return isRecord(entry) && unit(entry.value) ? entry.value : null;
}

const count = (x: unknown): x is number => typeof x === "number" && Number.isInteger(x) && x >= 0;

/**
 * `bands.all` -> the bands whose counts hold together: photos > 0, 0 <= malignant <= photos and the
 * share equal to malignant / photos (evaluate rounds it to 4 decimals). Anything else is left out.
 */
export function parseBands(raw: unknown): Partial<Record<Risk, BandFigures>> {
  const all = isRecord(raw) && isRecord(raw.bands) && isRecord(raw.bands.all) ? raw.bands.all : {};
  const bands: Partial<Record<Risk, BandFigures>> = {};
  for (const risk of RISKS) {
    const entry = all[risk];
    if (!isRecord(entry)) continue;
    const { photos, malignant, share } = entry;
    if (!count(photos) || photos === 0 || !count(malignant) || malignant > photos || !unit(share)) continue;
    if (Math.abs(share - malignant / photos) > 1e-4) continue;
    bands[risk] = { photos, malignant, share };
  }
  return bands;
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
  const bands = parseBands(raw);
  return sets.length || Object.keys(bands).length ? { version, threshold: raw.threshold, sets, bands } : null;
}

/**
 * "About N" of 100 for the band an answer is in: the measured share of skin cancers among the test
 * photos that got that band, rounded as `perHundred` does. Null (the sentence is left out) without
 * figures, without that band in them, or when the answer came from another model version than the
 * one measured (a check saved before the model changed).
 */
export function bandCount(figures: ModelFigures | null, risk: Risk, version: string): number | null {
  const band = figures && figures.version === version ? figures.bands[risk] : undefined;
  return band ? perHundred(band.share) : null;
}

/**
 * The frequency paragraph: "of 100 spots that got this band in our test photos, about N were skin
 * cancer" and its caveat, one paragraph of one weight. Without a measured count only the note that
 * the score is not a personal chance (never the raw score worded as a frequency).
 */
export function frequencyText({ t, lang }: Pick<I18n, "t" | "lang">, count: number | null): string {
  return count === null
    ? t("result.score_note")
    : join(lang, [t("result.frequency", { count }), t("result.frequency_note")]);
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

/** The page's one copy of the figures (FiguresProvider fills it; tests may set it directly). */
export const FiguresContext = createContext<ModelFigures | null>(null);

/** Fetches the figures once for the whole page (the footer's table and every answer's sentence). */
export function FiguresProvider({ children }: { children: ReactNode }) {
  return <FiguresContext.Provider value={useModelFigures()}>{children}</FiguresContext.Provider>;
}

/** The loaded model's figures, or null (not fetched yet, none published, offline without a copy, no provider). */
export function useFigures(): ModelFigures | null {
  return useContext(FiguresContext);
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
