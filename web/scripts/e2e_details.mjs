// Browser tests for issue 19's finer points (item 5), in English and Chinese at desktop (1280x800)
// and phone (390x844) sizes, measured on what Chromium renders:
// - the meter's zone words read at >= 4.5:1 over the hatched zones (pixels of the rendered label);
// - no line of the page ends with one Chinese character alone;
// - the report's heat map tints only where the evidence is (pixels of the PDF's page picture);
// - the Chinese report has no English full stop and no space after 。 (the text the canvas drew).
// The real server with the contract-2 stand-in model, the built page in headless Chromium.
// Run: `node scripts/e2e_details.mjs` (after `npm run build`); `npm run e2e` runs it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { findChromium, launchChromium, pdfFirstPicture, standInModel, startServer } from "./lib.mjs";

const IN_CI = ["true", "1"].includes(String(process.env.CI).toLowerCase());
const SIZES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
};
/** The report's canvas width (report.ts: A4 at 150 dpi); only its drawing is recorded. */
const REPORT_WIDTH = 1240;

/** Record what is drawn on the report's canvas: text (fillText) and where pictures go (drawImage). */
function recordReportDrawing(width) {
  const drawn = { texts: [], pictures: [] };
  window.__reportDrawing = drawn;
  const proto = CanvasRenderingContext2D.prototype;
  const fillText = proto.fillText;
  const drawImage = proto.drawImage;
  proto.fillText = function (text, ...rest) {
    if (this.canvas.width === width) drawn.texts.push(String(text));
    return fillText.call(this, text, ...rest);
  };
  proto.drawImage = function (...args) {
    if (this.canvas.width === width && args.length >= 5) drawn.pictures.push(args.slice(-4).map(Math.round));
    return drawImage.apply(this, args);
  };
}

/** WCAG contrast ratio of two sRGB colours ([r, g, b], 0..255). */
function contrast(a, b) {
  const luminance = (rgb) => {
    const [r, g, bl] = rgb.map((v) => {
      const c = v / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * Decode an image (PNG/JPEG bytes) in the page into `window.__pixels` (ImageData), then run
 * `measure(arg)` there on it (so millions of pixels never cross to Node).
 */
async function measureInPage(page, bytes, type, measure, arg = null) {
  await page.evaluate(
    async ({ b64, type }) => {
      const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([raw], { type }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext("2d");
      ctx.drawImage(bitmap, 0, 0);
      window.__pixels = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    },
    { b64: Buffer.from(bytes).toString("base64"), type },
  );
  return page.evaluate(measure, arg);
}

/** Every distinct colour of an image, as [r, g, b]. */
function colours() {
  const { data } = window.__pixels;
  const seen = new Map();
  for (let i = 0; i < data.length; i += 4) seen.set((data[i] << 16) | (data[i + 1] << 8) | data[i + 2], i);
  return [...seen.keys()].map((c) => [(c >> 16) & 255, (c >> 8) & 255, c & 255]);
}

/**
 * Where the heat-map square of the report's page picture differs from the photo square beside it:
 * the shares of points the same (every channel within 12 levels: JPEG noise) and tinted (40 or more).
 */
function tintShares({ photo, heat }) {
  const { data, width } = window.__pixels;
  const side = photo[2];
  let same = 0;
  let tinted = 0;
  let n = 0;
  for (let dy = 6; dy < side - 6; dy += 3) {
    for (let dx = 6; dx < side - 6; dx += 3) {
      const a = ((photo[1] + dy) * width + photo[0] + dx) * 4;
      const b = ((heat[1] + dy) * width + heat[0] + dx) * 4;
      const diff = Math.max(...[0, 1, 2].map((k) => Math.abs(data[a + k] - data[b + k])));
      n += 1;
      if (diff <= 12) same += 1;
      if (diff >= 40) tinted += 1;
    }
  }
  return { width, same: same / n, tinted: tinted / n };
}

/**
 * A photo of pale skin with one dark spot, made in the page (PNG bytes): the stand-in's evidence
 * (each block's darkness over the darkest block's) is under the heat map's floor away from the spot.
 */
async function paleSkinPhoto(page) {
  const b64 = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(400, 300);
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "rgb(246, 224, 210)";
    ctx.fillRect(0, 0, 400, 300);
    for (let i = 0; i < 3000; i++) {
      ctx.fillStyle = `rgba(200, 160, 140, ${0.15 + (i % 7) / 40})`;
      ctx.fillRect((i * 137) % 400, (i * 71) % 300, 2, 2);
    }
    ctx.fillStyle = "rgb(52, 30, 24)";
    ctx.beginPath();
    ctx.ellipse(200, 150, 55, 42, 0.3, 0, 2 * Math.PI);
    ctx.fill();
    const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: "image/png" })).arrayBuffer());
    return btoa(String.fromCharCode(...bytes));
  });
  return { name: "pale-skin.png", mimeType: "image/png", buffer: Buffer.from(b64, "base64") };
}

/**
 * The lowest contrast between a meter word's colour and any pixel behind it: the label's text box
 * is screenshotted with its words made transparent (the marker and threshold lines, drawn over the
 * track, hidden), so the zone's colour and hatching count wherever they show through.
 */
async function wordContrast(page, label) {
  const lines = page.locator(".meter__marker, .meter__threshold, .meter__you");
  await lines.evaluateAll((els) => els.forEach((el) => (el.style.visibility = "hidden")));
  const ink = await label.evaluate((el) => {
    const colour = getComputedStyle(el).color;
    el.style.color = "transparent";
    return colour.match(/\d+/g).slice(0, 3).map(Number);
  });
  // Inside the label's padding (its rounded corners let the zone show outside the words' reach).
  await label.scrollIntoViewIfNeeded();
  const { x, y, width, height } = await label.boundingBox();
  const pad = await label.evaluate((el) => parseFloat(getComputedStyle(el).paddingLeft));
  const clip = { x: x + pad, y, width: width - 2 * pad, height };
  const behind = await measureInPage(page, await page.screenshot({ clip }), "image/png", colours);
  await label.evaluate((el) => (el.style.color = ""));
  await lines.evaluateAll((els) => els.forEach((el) => (el.style.visibility = "")));
  return Math.min(...behind.map((c) => contrast(ink, c)));
}

/**
 * Visible text blocks whose last line holds a single Chinese character (the lines as laid out: one
 * client rect per character, a new line where a character starts below the previous line), and how
 * many blocks wrap at all.
 */
function loneLastCharacters() {
  const blocks = document.querySelectorAll("main p, main li, main dd, main h2, main h3, main summary, footer p");
  const han = /\p{Script=Han}/u;
  const offenders = [];
  let wrapped = 0;
  for (const block of blocks) {
    if (!block.checkVisibility?.() || block.getClientRects().length === 0) continue;
    const lines = [];
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      let offset = 0;
      for (const ch of node.data) {
        const start = offset;
        offset += ch.length;
        if (!ch.trim()) continue;
        const range = document.createRange();
        range.setStart(node, start);
        range.setEnd(node, offset);
        const rect = range.getBoundingClientRect();
        if (rect.width === 0) continue;
        const line = lines.at(-1);
        if (!line || rect.top >= line.bottom - 2) lines.push({ bottom: rect.bottom, chars: [ch] });
        else {
          line.chars.push(ch);
          line.bottom = Math.max(line.bottom, rect.bottom);
        }
      }
    }
    if (lines.length > 1) wrapped += 1;
    const last = lines.at(-1)?.chars ?? [];
    const words = last.filter((ch) => /[\p{L}\p{N}]/u.test(ch));
    if (lines.length > 1 && words.length === 1 && han.test(words[0]))
      offenders.push(`${lines.length} lines, last "${last.join("")}": ${block.textContent.slice(0, 60)}`);
  }
  return { offenders, wrapped };
}

if (!findChromium()) {
  test("detail browser tests", { skip: !IN_CI && "Chromium not found" }, () => assert.fail("Chromium not found"));
} else {
  describe("meter words, Chinese lines and the report, in Chromium", { concurrency: false }, () => {
    let server;
    let browser;
    before(async () => {
      server = await startServer({ model: standInModel().path });
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    async function answeredPage(lang, size) {
      const context = await browser.newContext({ acceptDownloads: true, ...SIZES[size] });
      await context.addInitScript(recordReportDrawing, REPORT_WIDTH);
      const page = await context.newPage();
      await page.goto(`${server.origin}/?lang=${lang}`);
      await page.locator("#photo-input").setInputFiles(await paleSkinPhoto(page));
      await page.getByTestId("result").waitFor({ state: "visible", timeout: 60_000 });
      return page;
    }

    for (const lang of ["en", "zh"]) {
      for (const size of ["desktop", "phone"]) {
        test(`${lang} ${size}: meter words on the hatching, whole last lines, the report's heat map and stops`, async () => {
          const page = await answeredPage(lang, size);
          try {
            // Every zone word of the meter (white words over the hatching measured 2.6-3.1:1).
            const labels = page.locator(".meter__zone-label");
            const shown = [];
            for (const label of await labels.all()) {
              const box = await label.boundingBox();
              if (!box || box.width < 4) continue;
              const ratio = await wordContrast(page, label);
              shown.push(ratio);
              assert.ok(ratio >= 4.5, `meter word "${await label.innerText()}" at ${ratio.toFixed(2)}:1`);
            }
            assert.ok(shown.length >= 2, `meter words measured: ${shown.length}`);
            console.log(`# ${lang} ${size}: meter words at ${shown.map((r) => r.toFixed(1)).join(", ")} :1 at least`);

            // No line of the page (answer, advice, figures, footer) ends with one Chinese character.
            const lines = await page.evaluate(loneLastCharacters);
            assert.deepEqual(lines.offenders, []);
            assert.ok(lines.wrapped >= (size === "phone" ? 5 : 2), `text blocks that wrap: ${lines.wrapped}`);

            // The report: its heat map leaves the photo as it was where the evidence is weak.
            const waiting = page.waitForEvent("download", { timeout: 60_000 });
            await page.getByTestId("report").click();
            const pdf = readFileSync(await (await waiting).path());
            const drawn = await page.evaluate(() => window.__reportDrawing);
            const squares = drawn.pictures.filter(([, , w, h]) => w === h && w > 200);
            const photo = squares[0];
            const heat = squares.find(([x, y]) => x > photo[0] && y === photo[1]);
            assert.ok(photo && heat, `photo and heat map squares drawn: ${JSON.stringify(squares)}`);
            const shares = await measureInPage(page, pdfFirstPicture(pdf), "image/jpeg", tintShares, { photo, heat });
            assert.equal(shares.width, REPORT_WIDTH);
            const [same, tinted] = [shares.same, shares.tinted].map((v) => (100 * v).toFixed(1));
            console.log(`# ${lang} ${size}: report heat map ${same}% as the photo, ${tinted}% tinted`);
            assert.ok(shares.tinted >= 0.03, "the heat map tints where the evidence is");
            assert.ok(shares.same >= 0.3, "the heat map leaves the photo untinted where the evidence is weak");

            // The report's words, as drawn: in Chinese no English full stop and no space after 。.
            assert.ok(drawn.texts.length >= 6, `report text lines: ${drawn.texts.length}`);
            const report = drawn.texts.join("\n");
            if (lang === "zh") {
              assert.match(report, /。/);
              assert.doesNotMatch(report, /[\p{Script=Han}\u3000-\u303f\uff00-\uffef]\s*\.(?!\d)/u);
              assert.doesNotMatch(report, /。 /);
            } else {
              assert.doesNotMatch(report, /\p{Script=Han}/u);
            }
          } finally {
            await page.context().close();
          }
        });
      }
    }
  });
}
