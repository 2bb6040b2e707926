/**
 * The model card (`/models/skinscan.json`): the page takes the input size, the threshold, the risk
 * bands, the labels, the gate and the quality checks from it and from nowhere else, like the server
 * does (src/skinscan/card.py; docs/model-contract.md). A contract-1 card (no `gate`, no `quality`)
 * still loads: the model then answers every frame.
 */
import type { Label, Risk } from "../api/types";

/** Card block `gate`: refuse a photo whose `output` (p_lesion) is below `threshold`. */
export interface GateSpec {
  output: string;
  threshold: number;
}

/** One quality check: fails below `min` or above `max` (exactly one is set), and when not a number. */
export interface QualityCheck {
  signal: string;
  reason: string;
  min?: number;
  max?: number;
}

/** Card block `quality`: the columns of `output`, the checks, the smallest usable photo side. */
export interface QualitySpec {
  output: string;
  signals: string[];
  minSide: number;
  checks: QualityCheck[];
  /** Checks that only an answer of "low" must also pass (model 3: a blurred photo is never answered low). */
  lowNeeds: QualityCheck[];
}

export interface ModelCard {
  name: string;
  version: string;
  threshold: number;
  risk_bands: Record<Risk, number>;
  labels: [Label, Label];
  input: { name: string; size: number };
  /** The name of the probability output (`p_malignant`). */
  output: string;
  gate: GateSpec | null;
  quality: QualitySpec | null;
  /** The ids of the data sources the model learned from (`training.sources`), in the card's order. */
  sources: string[];
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
  if (!(Number.isInteger(size) && size > 0)) throw new CardError("model card input.size must be a positive integer");
  const output = d.output as { name?: unknown } | undefined;
  return {
    name: String(d.name),
    version: String(d.version),
    threshold,
    risk_bands: { low, medium, high },
    labels: ["benign", "malignant"],
    input: { name: String(input?.name ?? "image"), size },
    output: typeof output?.name === "string" && output.name ? output.name : "p_malignant",
    gate: "gate" in d ? parseGate(d.gate) : null,
    quality: "quality" in d ? parseQuality(d.quality) : null,
    sources: trainingSources(d.training),
  };
}

function trainingSources(training: unknown): string[] {
  const sources = (training as { sources?: unknown } | null | undefined)?.sources;
  return typeof sources === "object" && sources !== null ? Object.keys(sources) : [];
}

function text(block: Record<string, unknown>, key: string, where: string): string {
  const value = block[key];
  if (typeof value !== "string" || !value) throw new CardError(`model card ${where}.${key} must be a non-empty string`);
  return value;
}

function parseGate(raw: unknown): GateSpec {
  if (typeof raw !== "object" || raw === null) throw new CardError("model card gate must be an object");
  const block = raw as Record<string, unknown>;
  const threshold = block.threshold;
  if (typeof threshold !== "number" || !(threshold > 0 && threshold < 1)) {
    throw new CardError("model card gate.threshold must lie in (0, 1)");
  }
  return { output: text(block, "output", "gate"), threshold };
}

function parseCheck(raw: unknown, signals: string[], where: string): QualityCheck {
  if (typeof raw !== "object" || raw === null) throw new CardError(`model card ${where} must be an object`);
  const block = raw as Record<string, unknown>;
  const signal = text(block, "signal", where);
  if (!signals.includes(signal)) throw new CardError(`model card ${where}.signal ${signal} is not in quality.signals`);
  const bounds = (["min", "max"] as const).filter((key) => key in block);
  const key = bounds[0];
  if (bounds.length !== 1 || key === undefined || typeof block[key] !== "number") {
    throw new CardError(`model card ${where} needs exactly one numeric min or max`);
  }
  return { signal, reason: text(block, "reason", where), [key]: block[key] };
}

function parseQuality(raw: unknown): QualitySpec {
  if (typeof raw !== "object" || raw === null) throw new CardError("model card quality must be an object");
  const block = raw as Record<string, unknown>;
  const signals = block.signals;
  if (!Array.isArray(signals) || !signals.every((s): s is string => typeof s === "string")) {
    throw new CardError("model card quality.signals must be a list of names");
  }
  const minSide = block.min_side;
  if (typeof minSide !== "number" || !(minSide >= 0)) throw new CardError("model card quality.min_side must be >= 0");
  const checks = Array.isArray(block.checks) ? block.checks : [];
  const lowNeeds = Array.isArray(block.low_needs) ? block.low_needs : [];
  return {
    output: text(block, "output", "quality"),
    signals,
    minSide,
    checks: checks.map((check, i) => parseCheck(check, signals, `quality.checks[${i}]`)),
    lowNeeds: lowNeeds.map((check, i) => parseCheck(check, signals, `quality.low_needs[${i}]`)),
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
