/**
 * "How well does it work?" shows the shipped model's held-out figures as reports/metrics.json has
 * them (the file the server publishes as /models/skinscan.metrics.json), in both languages.
 */
import { render, screen, waitFor, within } from "@testing-library/react";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { METRICS_URL } from "../config";
import { I18nProvider, type Lang } from "../i18n";
import { perHundred } from "./format";
import { bandCount, FiguresProvider, ModelFiguresView, parseBands, parseFigures, useFigures } from "./ModelFigures";

const raw: unknown = JSON.parse(readFileSync(resolve(__dirname, "../../../reports/metrics.json"), "utf8"));
const shipped = raw as {
  model: { version: string };
  test: Record<string, { sensitivity: { value: number }; specificity: { value: number } }>;
};

describe("parseFigures", () => {
  it("reads every held-out set of the shipped report, in the page's order", () => {
    const figures = parseFigures(raw);
    expect(figures).not.toBeNull();
    expect(figures!.sets.map((s) => s.id)).toEqual(["kaggle", "ham10000", "pad-ufes-20", "derm7pt"]);
    const pad = figures!.sets.find((s) => s.id === "pad-ufes-20")!;
    expect(pad.specificity).toBe(shipped.test["pad-ufes-20"]!.specificity.value);
  });

  it("refuses what evaluate does not write, and leaves out a set with a figure missing", () => {
    expect(parseFigures(null)).toBeNull();
    expect(parseFigures({ model: { version: "3" }, threshold: 2, test: {} })).toBeNull();
    const partial = {
      model: { version: "3.0.0+x" },
      threshold: 0.16,
      test: {
        kaggle: {
          n: { photos: 10 },
          sensitivity: { value: 0.9 },
          specificity: { value: 0.8 },
          roc_auc: { value: 0.9 },
        },
        derm7pt: { n: { photos: 10 }, sensitivity: { value: 0.9 }, specificity: { value: 0.8 } },
      },
    };
    expect(parseFigures(partial)!.sets.map((s) => s.id)).toEqual(["kaggle"]);
  });
});

describe("ModelFiguresView", () => {
  const figures = parseFigures(raw)!;
  const cases: [Lang, RegExp, (n: number) => string][] = [
    ["en", /How well does it work\?/, (n) => `${n} of 100`],
    ["zh", /它的表现如何？/, (n) => `100 个中 ${n} 个`],
  ];
  it.each(cases)(
    "shows each set's cancers sent to a doctor and harmless spots cleared, of 100 (%s)",
    (lang, title, per) => {
      render(
        <I18nProvider lang={lang}>
          <ModelFiguresView figures={figures} />
        </I18nProvider>,
      );
      const view = screen.getByTestId("model-figures");
      expect(view).toHaveTextContent(title);
      expect(view).toHaveTextContent(shipped.model.version.replace(/\+.*/, "")); // "3.1.0", no build tag
      expect(view).not.toHaveTextContent("efficientnet");
      for (const set of figures.sets) {
        const cells = within(screen.getByTestId(`figures-${set.id}`)).getAllByRole("cell");
        expect(cells.map((c) => c.textContent)).toEqual([
          set.photos.toLocaleString(lang === "zh" ? "zh-CN" : "en"),
          per(perHundred(set.sensitivity)),
          per(perHundred(set.specificity)),
          set.rocAuc.toFixed(2),
        ]);
      }
    },
  );
});

/** A hand-made `bands` table as evaluate's band_frequencies writes it (counts chosen for the checks). */
const BANDS = {
  all: {
    sets: ["kaggle", "ham10000", "pad-ufes-20", "derm7pt"],
    low: { photos: 400, malignant: 9, share: 0.0225, ci95: [0.0119, 0.0422] },
    medium: { photos: 300, malignant: 140, share: 0.4667, ci95: [0.4108, 0.5233] },
    high: { photos: 120, malignant: 101, share: 0.8417, ci95: [0.7655, 0.8963] },
  },
  dermoscopic: {},
  phone: {},
  by_set: {},
};

describe("parseBands", () => {
  it("reads each band of bands.all", () => {
    expect(parseBands({ bands: BANDS })).toEqual({
      low: { photos: 400, malignant: 9, share: 0.0225 },
      medium: { photos: 300, malignant: 140, share: 0.4667 },
      high: { photos: 120, malignant: 101, share: 0.8417 },
    });
  });

  it("leaves out a band whose counts do not hold together, and reads nothing from what is not a table", () => {
    const all = BANDS.all;
    const broken = {
      bands: {
        all: {
          low: { ...all.low, share: 0.5 }, // not 9 / 400
          medium: { photos: 0, malignant: 0, share: null }, // no photo got the band
          high: { ...all.high, malignant: 121 }, // more cancers than photos
        },
      },
    };
    expect(parseBands(broken)).toEqual({});
    expect(parseBands({ bands: { all: { low: { photos: 2.5, malignant: 1, share: 0.4 } } } })).toEqual({});
    expect(parseBands({ bands: { all: { low: { photos: "400", malignant: 9, share: 0.0225 } } } })).toEqual({});
    for (const raw of [null, {}, { bands: null }, { bands: { all: [] } }, { bands: { phone: BANDS.all } }]) {
      expect(parseBands(raw)).toEqual({});
    }
  });

  it("keeps the figures when only the bands are there, and the sets when the bands are not", () => {
    const model = { version: "3.0.0+x" };
    expect(parseFigures({ model, threshold: 0.16, test: {}, bands: BANDS })!.bands.high!.share).toBe(0.8417);
    expect(parseFigures({ model, threshold: 0.16, test: {} })).toBeNull();
    expect(parseFigures(raw)!.sets.length).toBeGreaterThan(0);
  });
});

describe("bandCount", () => {
  const figures = parseFigures({ model: { version: "3.0.0+x" }, threshold: 0.16, test: {}, bands: BANDS })!;
  it("is the measured share of the answer's band, rounded as perHundred does", () => {
    expect(bandCount(figures, "low", "3.0.0+x")).toBe(2);
    expect(bandCount(figures, "medium", "3.0.0+x")).toBe(47);
    expect(bandCount(figures, "high", "3.0.0+x")).toBe(84);
  });
  it("is null without figures, without the band, or for an answer of another model version", () => {
    expect(bandCount(null, "high", "3.0.0+x")).toBeNull();
    expect(bandCount({ ...figures, bands: {} }, "high", "3.0.0+x")).toBeNull();
    expect(bandCount(figures, "high", "2.0.0+x")).toBeNull();
  });
});

describe("FiguresProvider", () => {
  afterEach(() => vi.unstubAllGlobals());

  function Shows({ id }: { id: string }) {
    const figures = useFigures();
    return <p data-testid={id}>{figures ? String(figures.bands.high?.share) : "none"}</p>;
  }

  it("fetches the file once for every part of the page that reads it", async () => {
    const fetch = vi.fn(() => Promise.resolve(new Response(JSON.stringify({ ...(raw as object), bands: BANDS }))));
    vi.stubGlobal("fetch", fetch);
    render(
      <FiguresProvider>
        <Shows id="a" />
        <Shows id="b" />
      </FiguresProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("a")).toHaveTextContent("0.8417"));
    expect(screen.getByTestId("b")).toHaveTextContent("0.8417");
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledWith(METRICS_URL);
  });

  it("gives null when the file is missing or the network is down", async () => {
    for (const answer of [
      () => Promise.resolve(new Response("", { status: 404 })),
      () => Promise.reject(new Error("offline")),
    ]) {
      const fetch = vi.fn(answer);
      vi.stubGlobal("fetch", fetch);
      const { unmount } = render(
        <FiguresProvider>
          <Shows id="a" />
        </FiguresProvider>,
      );
      await waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
      await new Promise((done) => setTimeout(done, 0)); // let the fetch's answer settle
      expect(screen.getByTestId("a")).toHaveTextContent("none");
      unmount();
    }
  });
});
