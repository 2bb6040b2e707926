// Browser tests for issue 19's wording (answer, error and refusal re-worded on a language switch),
// bands (with the measured "of 100 spots that got this band" sentence), body map and ABCDE guide, in English and Chinese at desktop (1280x800) and phone (390x844) sizes: the real server with the contract-2 stand-in model,
// the built page in headless Chromium. Run: `node scripts/e2e_wording.mjs` (after `npm run build`).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { findChromium, launchChromium, makePhotos, standInModel, startServer, WORK_DIR } from "./lib.mjs";

const IN_CI = ["true", "1"].includes(String(process.env.CI).toLowerCase());
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const SIZES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
};
const WORDS = {
  en: {
    headline: /concern/,
    disclaimer: /Not a diagnosis/,
    notImage: /not an image/i,
    other: "zh",
    abcde: /ABCDE/,
    hint: /Point the camera at one spot on the skin/,
    frequency: (n) =>
      new RegExp(`Of 100 spots that got this band in our test photos, about ${n} (was|were) skin cancer\\.`),
  },
  zh: {
    headline: /关注|留意/,
    disclaimer: /这不是诊断/,
    notImage: /不是图片/,
    other: "en",
    abcde: /ABCDE/,
    hint: /把相机对准皮肤上的一个斑点/,
    frequency: (n) => new RegExp(`在我们的测试照片中，评分落在这一档的每 100 个斑点里，大约有 ${n} 个是皮肤癌。`),
  },
};

/** Hand-made shares per band (distinct, so the sentence's count tells which band it read). */
const BANDS = {
  low: { photos: 400, malignant: 12, share: 0.03 },
  medium: { photos: 250, malignant: 105, share: 0.42 },
  high: { photos: 100, malignant: 88, share: 0.88 },
};

/**
 * A metrics file for the stand-in model (its sha256, so the server publishes it) holding only a
 * `bands` table: the page's "of 100 spots that got this band" sentence reads it end to end.
 */
function standInMetrics(model) {
  const card = JSON.parse(readFileSync(model.replace(/\.onnx$/, ".json"), "utf8"));
  const sha256 = createHash("sha256").update(readFileSync(model)).digest("hex");
  const path = join(WORK_DIR, "wording-metrics", "metrics.json");
  mkdirSync(join(WORK_DIR, "wording-metrics"), { recursive: true });
  const metrics = {
    model: { name: card.name, version: card.version, sha256 },
    threshold: card.threshold,
    test: {},
    bands: { all: { sets: ["hand-made"], ...BANDS } },
  };
  writeFileSync(path, JSON.stringify(metrics, null, 2));
  return path;
}

/** Every axe-core violation (any impact) inside `selector`. */
async function axeViolations(page, selector) {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (sel) => {
    const result = await window.axe.run(document.querySelector(sel), { resultTypes: ["violations"] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  }, selector);
}

if (!findChromium()) {
  test("wording browser tests", { skip: !IN_CI && "Chromium not found" }, () => assert.fail("Chromium not found"));
} else {
  describe("wording, bands, body map and ABCDE, in Chromium", { concurrency: false }, () => {
    let server;
    let browser;
    let manifest;
    before(async () => {
      manifest = makePhotos();
      const model = standInModel().path;
      server = await startServer({ model, env: { SKINSCAN_MODEL_METRICS: standInMetrics(model) } });
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    async function openPage(lang, size) {
      const context = await browser.newContext({ bypassCSP: true, ...SIZES[size] });
      const page = await context.newPage();
      page.on("dialog", (dialog) => void dialog.accept());
      await page.goto(`${server.origin}/?lang=${lang}`);
      return page;
    }

    for (const lang of ["en", "zh"]) {
      for (const size of ["desktop", "phone"]) {
        test(`${lang} ${size}: answer, language switch, error, refusal, ABCDE and body map`, async () => {
          const words = WORDS[lang];
          const page = await openPage(lang, size);
          try {
            // Drag and paste are offered with a mouse only.
            assert.equal(await page.getByTestId("drag-hint").isVisible(), size === "desktop");

            await page.locator("#photo-input").setInputFiles(manifest.photos[0].file);
            const result = page.getByTestId("result");
            await result.waitFor({ state: "visible", timeout: 60_000 });
            const text = await result.innerText();
            assert.match(text, words.headline);
            assert.match(text, words.disclaimer);
            assert.doesNotMatch(text, /fp32|efficientnet|px\b|readings\/s/);
            if (lang === "zh") assert.doesNotMatch(text, /。 /, "no space after 。");
            // The sentence beside the score gives the measured share of the answer's band, not the score.
            const count = Math.round(BANDS[await result.getAttribute("data-risk")].share * 100);
            const frequency = page.getByTestId("frequency");
            assert.match(await frequency.innerText(), words.frequency(count));

            // The ABCDE guide from the answer: five illustrated signs, no axe violation.
            await result.getByTestId("abcde-open").click();
            const guide = page.getByTestId("abcde").first();
            await guide.waitFor({ state: "visible" });
            assert.equal(await guide.locator("[data-sign] svg").count(), 5);
            assert.match(await guide.innerText(), words.abcde);
            assert.deepEqual(await axeViolations(page, "dialog[open]"), []);
            await guide.getByTestId("abcde-close").click();

            // Save with a place on the body: the body map shows and lists it.
            await page.getByLabel(/Spot name|斑点名称/).fill(`mole ${lang} ${size}`);
            await page.getByTestId("place-picker").locator('[data-region="front.chest"]').click();
            await page.getByTestId("save").click();
            const map = page.getByTestId("body-map");
            await map.waitFor({ state: "visible" });
            assert.equal(await map.locator('[data-testid="body-marker"][data-region="front.chest"]').count(), 1);
            assert.match(await map.locator('[data-testid="body-place"]').first().innerText(), /chest|胸部/i);
            assert.deepEqual(await axeViolations(page, '[data-testid="body-map"]'), []);

            // Switching language re-words the answer; an error is re-worded too.
            await page.getByTestId("lang").selectOption(words.other);
            assert.match(await result.innerText(), WORDS[words.other].disclaimer);
            assert.match(await frequency.innerText(), WORDS[words.other].frequency(count));
            await page.locator("#photo-input").setInputFiles(manifest.text);
            const error = page.getByTestId("error");
            await error.waitFor({ state: "visible" });
            assert.match(await error.innerText(), WORDS[words.other].notImage);
            await page.getByTestId("lang").selectOption(lang);
            assert.match(await error.innerText(), words.notImage);

            // A refusal (the stand-in's gate refuses the everyday photo) is re-worded too: its hint
            // comes from the reason code, never from the server's text.
            await page.locator("#photo-input").setInputFiles(manifest.everyday);
            const refusal = page.getByTestId("refusal");
            await refusal.waitFor({ state: "visible", timeout: 60_000 });
            assert.equal(await refusal.getAttribute("data-code"), "not_a_lesion");
            assert.match(await refusal.innerText(), words.hint);
            assert.deepEqual(await axeViolations(page, '[data-testid="refusal"]'), []);
            await page.getByTestId("lang").selectOption(words.other);
            assert.match(await refusal.innerText(), WORDS[words.other].hint);
            assert.doesNotMatch(await refusal.innerText(), words.hint);
          } finally {
            await page.context().close();
          }
        });
      }
    }
  });
}
