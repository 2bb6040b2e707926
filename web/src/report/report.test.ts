/**
 * The one-check PDF report (also each check's page of a spot's report) words the score as the answer
 * card does: the band's measured "of 100" sentence when the loaded model's figures are there, never
 * the score in its place. The canvas is a recording stand-in (jsdom draws nothing): what matters is
 * the text put on the page.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ModelFigures } from "../components/ModelFigures";
import type { Check } from "../history/check";
import { translate, type I18n, type Lang } from "../i18n";
import { drawReport } from "./report";

const check: Check = {
  createdAt: Date.UTC(2026, 11, 4, 9, 30),
  spot: "left shoulder",
  thumbnail: null,
  evidence: null,
  label: "malignant",
  p_malignant: 0.62,
  risk: "medium",
  threshold: 0.16,
  model: { name: "skinscan", version: "3.0.0+x" },
};

const figures: ModelFigures = {
  version: "3.0.0+x",
  threshold: 0.16,
  sets: [],
  bands: {
    low: { photos: 400, malignant: 12, share: 0.03 },
    medium: { photos: 250, malignant: 105, share: 0.42 },
    high: { photos: 100, malignant: 88, share: 0.88 },
  },
};

/** Draw the report on a recording canvas; the text it wrote, in order, as one string. */
async function reportText(lang: Lang, value: ModelFigures | null, of: Check = check): Promise<string> {
  const texts: string[] = [];
  const ctx = {
    fillText: (text: string) => texts.push(text),
    measureText: (text: string) => ({ width: text.length * 12 }),
    fillRect: () => undefined,
    drawImage: () => undefined,
    font: "",
    fillStyle: "",
    textBaseline: "",
  };
  vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue(ctx as unknown as CanvasRenderingContext2D);
  const i18n: I18n = {
    lang,
    t: (key, params) => translate(lang, key, params),
    date: (value) => new Date(value).toISOString(),
    setLang: () => undefined,
  };
  await drawReport(of, i18n, value);
  return texts.join(lang === "zh" ? "" : " ");
}

afterEach(() => vi.restoreAllMocks());

describe.each(["en", "zh"] as const)("drawReport (%s)", (lang) => {
  const sentence = translate(lang, "result.frequency", { count: 42 });
  const stem = sentence.split("42")[0]!;

  it("gives the measured share of the check's band, not the score", async () => {
    const text = await reportText(lang, figures);
    expect(text.replace(/\s+/g, "")).toContain(sentence.replace(/\s+/g, ""));
    expect(text.replace(/\s+/g, "")).toContain(translate(lang, "result.frequency_note").replace(/\s+/g, ""));
    expect(text).not.toContain(`${stem}62`);
  });

  it.each([
    ["without figures", null, check],
    ["for a check of another model version", figures, { ...check, model: { name: "skinscan", version: "2.0.0" } }],
  ])("leaves the sentence out %s", async (_, value, of) => {
    const text = (await reportText(lang, value, of)).replace(/\s+/g, "");
    expect(text).not.toContain(stem.replace(/\s+/g, "").slice(0, 12));
    expect(text).toContain(translate(lang, "result.score_note").replace(/\s+/g, ""));
  });
});
