/**
 * The model card (`/models/skinscan.json`): the page takes the threshold, the risk bands and the
 * labels from it and from nowhere else, like the server does (src/skinscan/card.py).
 */
import type { Label, Risk } from "../api/types";

export interface ModelCard {
  name: string;
  version: string;
  threshold: number;
  risk_bands: Record<Risk, number>;
  labels: [Label, Label];
  input: { name: string; size: number };
}

export const RISK_LEVELS: readonly Risk[] = ["low", "medium", "high"];

export class CardError extends Error {}

/** Validate the fields the page relies on (same rules as `validate_card` in card.py). */
export function parseCard(data: unknown): ModelCard {
  if (typeof data !== "object" || data === null) throw new CardError("model card is not a JSON object");
  const d = data as Record<string, unknown>;
  const labels = d.labels;
  if (!Array.isArray(labels) || labels[0] !== "benign" || labels[1] !== "malignant" || labels.length !== 2) {
    throw new CardError("model card labels must be [benign, malignant]");
  }
  const threshold = Number(d.threshold);
  if (!(threshold > 0 && threshold < 1)) throw new CardError("model card threshold must lie in (0, 1)");
  const bands = d.risk_bands as Record<string, unknown> | undefined;
  const low = Number(bands?.low);
  const medium = Number(bands?.medium);
  const high = Number(bands?.high);
  if (!(low === 0 && low <= medium && medium <= high && high <= 1)) {
    throw new CardError("model card risk_bands must be lower bounds 0 = low <= medium <= high <= 1");
  }
  const input = d.input as { name?: unknown; size?: unknown } | undefined;
  const size = Number(input?.size);
  if (!(size > 0)) throw new CardError("model card input.size must be positive");
  return {
    name: String(d.name),
    version: String(d.version),
    threshold,
    risk_bands: { low, medium, high },
    labels: ["benign", "malignant"],
    input: { name: String(input?.name ?? "image"), size },
  };
}

/** The highest band whose lower bound the probability reaches. */
export function riskFor(card: ModelCard, p: number): Risk {
  let level: Risk = "low";
  for (const name of RISK_LEVELS) if (p >= card.risk_bands[name]) level = name;
  return level;
}

export function labelFor(card: ModelCard, p: number): Label {
  return p >= card.threshold ? card.labels[1] : card.labels[0];
}
