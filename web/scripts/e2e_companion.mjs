// Browser tests for "the page as a companion": heat map, on-device history, compare, report export,
// languages, accessibility (axe-core) and the phone layout. The real server with the contract-2
// stand-in model (tests/tiny_model.py: it returns the evidence grid) and the built page in headless
// Chromium. Run: `node scripts/e2e_companion.mjs` (after `npm run build`); `npm run e2e` runs it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { findChromium, launchChromium, makePhotos, REPO, startServer, WORK_DIR } from "./lib.mjs";

const IN_CI = ["true", "1"].includes(String(process.env.CI).toLowerCase());
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const SPOT = "left shoulder e2e";
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** The contract-2 stand-in (always written afresh into its own folder, so never a stale contract 1). */
function contract2Model() {
  const dir = join(WORK_DIR, "tiny-model-v2");
  const path = join(dir, "skinscan.onnx");
  const card = join(dir, "skinscan.json");
  if (!existsSync(card) || !JSON.parse(readFileSync(card, "utf8")).gate) {
    const run = spawnSync(join(REPO, ".venv", "bin", "python"), [join(REPO, "tests", "tiny_model.py"), dir], {
      cwd: REPO,
      encoding: "utf8",
    });
    if (run.status !== 0) throw new Error(`tests/tiny_model.py failed: ${run.stderr}`);
  }
  return path;
}

if (!findChromium()) {
  test("companion browser tests", { skip: !IN_CI && "Chromium not found" }, () => {
    assert.fail("Chromium not found: apt-get install -y chromium (or set CHROMIUM_PATH)");
  });
} else {
  describe("the page as a companion, in Chromium", { concurrency: false }, () => {
    let server;
    let browser;
    let manifest;
    const requests = [];

    before(async () => {
      manifest = makePhotos();
      server = await startServer({ model: contract2Model() });
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    /** A fresh page; `bypassCSP` only so that axe-core can be injected. */
    async function openPage(path = "/", options = {}) {
      const context = await browser.newContext({ bypassCSP: true, ...options });
      context.on("request", (request) =>
        requests.push({ url: request.url(), method: request.method(), body: request.postDataBuffer() }),
      );
      const page = await context.newPage();
      page.on("dialog", (dialog) => void dialog.accept());
      await page.goto(server.origin + path);
      return page;
    }

    async function analyse(page, file = manifest.photos[0].file) {
      await page.locator("#photo-input").setInputFiles(file);
      const result = page.getByTestId("result");
      await result.waitFor({ state: "visible", timeout: 60_000 });
      return result;
    }

    async function saveCurrent(page, spot = SPOT) {
      await page.getByLabel(/Spot name|斑点名称/).fill(spot);
      await page.getByTestId("save").click();
      await page.getByText(/Saved on this device|已保存在本设备上/).waitFor();
    }

    /** Serious or critical axe-core violations on the page as it is now. */
    async function axeViolations(page) {
      await page.evaluate(AXE_SOURCE);
      const violations = await page.evaluate(async () => {
        const result = await window.axe.run(document, { resultTypes: ["violations"] });
        const found = result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3),
        }));
        return { rules: result.passes.length + result.violations.length + result.incomplete.length, found };
      });
      const minor = violations.found.filter((v) => v.impact !== "serious" && v.impact !== "critical").map((v) => v.id);
      console.log(`# axe: ${violations.rules} rules checked${minor.length ? `; minor: ${minor.join(", ")}` : ""}`);
      assert.ok(violations.rules > 20, "axe-core ran");
      return violations.found.filter((v) => v.impact === "serious" || v.impact === "critical");
    }

    test("a heat map of where the model looked appears with the answer, with its one-line explanation", async () => {
      const page = await openPage();
      await analyse(page);
      const heatmap = page.getByTestId("heatmap");
      await heatmap.waitFor({ state: "visible" });
      assert.match(await heatmap.innerText(), /not an outline/);
      const painted = await page.evaluate(() => {
        const canvas = document.querySelector('[data-testid="heatmap"] canvas');
        const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        return data.some((v, i) => i % 4 !== 3 && v > 0);
      });
      assert.ok(painted, "the heat map canvas is drawn");
      await page.context().close();
    });

    test("two saved checks survive a reload, compare shows both with dates, delete all empties IndexedDB", async () => {
      const page = await openPage();
      await analyse(page, manifest.photos[0].file);
      await saveCurrent(page);
      await analyse(page, manifest.photos[1].file);
      await saveCurrent(page);
      const before = requests.length;
      await page.reload();
      const items = page.getByTestId("history-item");
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-item"]').length === 2);
      assert.equal(await items.count(), 2);
      const compare = page.getByTestId("compare");
      assert.equal(await compare.locator("[data-testid=compare-item]").count(), 2);
      assert.equal(await compare.locator("[data-testid=compare-item] time").count(), 2);
      assert.match(await compare.innerText(), /Check .* again around|doctor/);
      assert.ok(await compare.locator("svg.score-chart").isVisible(), "score chart");
      // An older check's report, from the history list.
      const download = page.waitForEvent("download", { timeout: 30_000 });
      await items
        .first()
        .getByRole("button", { name: /Download a report of the check/ })
        .click();
      assert.ok(statSync(await (await download).path()).size > 10_000, "history item report");
      await page.getByTestId("history-clear").click();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-item"]').length === 0);
      const stored = await page.evaluate(
        () =>
          new Promise((resolve, reject) => {
            const open = indexedDB.open("skinscan");
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const count = open.result.transaction("checks").objectStore("checks").count();
              count.onsuccess = () => resolve(count.result);
            };
          }),
      );
      assert.equal(stored, 0);
      // After the reload nothing but the page's own files was asked for: no POST, no history data.
      assert.deepEqual(
        requests
          .slice(before)
          .filter((r) => r.method !== "GET")
          .map((r) => r.url),
        [],
      );
      await page.context().close();
    });

    test("the answer's report downloads as a non-empty one-page PDF", async () => {
      const page = await openPage();
      await analyse(page);
      const download = page.waitForEvent("download", { timeout: 30_000 });
      await page.getByTestId("report").click();
      const file = await (await download).path();
      const bytes = readFileSync(file);
      assert.ok(statSync(file).size > 10_000, `report is ${statSync(file).size} bytes`);
      assert.equal(bytes.subarray(0, 5).toString("latin1"), "%PDF-");
      assert.equal((bytes.toString("latin1").match(/\/Type \/Page /g) ?? []).length, 1);
      await page.context().close();
    });

    test("?lang=zh: Chinese disclaimer, Chinese answer, <html lang>, Accept-Language sent", async () => {
      const page = await openPage("/?lang=zh");
      assert.match(await page.getByTestId("disclaimer").innerText(), /这不是诊断/);
      assert.equal(await page.evaluate(() => document.documentElement.lang), "zh-CN");
      const predict = page.waitForRequest((r) => r.url().endsWith("/api/v1/predict"));
      const result = await analyse(page);
      assert.match((await predict).headers()["accept-language"] ?? "", /^zh/);
      assert.match(await result.innerText(), /下一步怎么做/);
      // This server has no measurements of the stand-in model: the "of 100" sentence is left out, never
      // replaced by the score (e2e_wording.mjs checks it with measurements).
      assert.doesNotMatch(await result.innerText(), /每 100 个/);
      assert.match(await page.getByTestId("score-note").innerText(), /这个评分不是您本人患癌的概率/);
      await page.getByTestId("lang").selectOption("en");
      assert.match(await page.getByTestId("disclaimer").innerText(), /Not a diagnosis/);
      assert.match(page.url(), /lang=en/);
      await page.context().close();
    });

    for (const lang of ["en", "zh"]) {
      test(`axe-core: no serious or critical violations on the main views (${lang})`, async () => {
        const page = await openPage(`/?lang=${lang}`);
        assert.deepEqual(await axeViolations(page), [], "start view");
        await analyse(page);
        await saveCurrent(page, `${SPOT} ${lang}`);
        await page.locator("details.guidance summary").click();
        assert.deepEqual(await axeViolations(page), [], "answer, history and compare");
        await page.locator("#photo-input").setInputFiles(manifest.text);
        await page.getByTestId("error").waitFor();
        assert.deepEqual(await axeViolations(page), [], "error");
        await page.getByTestId("history-clear").click();
        await page.context().close();
      });
    }

    test("the keyboard path reaches every control", async () => {
      const page = await openPage();
      await analyse(page);
      await saveCurrent(page, `${SPOT} keys`);
      const controls = await page.evaluate(() => {
        const selector = "a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])";
        const visible = (el) => el.getClientRects().length > 0 || el.classList.contains("visually-hidden");
        return [...document.querySelectorAll(selector)]
          .filter((el) => !el.disabled && visible(el) && getComputedStyle(el).display !== "none")
          .map((el, i) => {
            el.dataset.keyboardCheck = String(i);
            return String(i);
          });
      });
      console.log(`# keyboard: ${controls.length} controls`);
      assert.ok(controls.length >= 10, "the answer view has its controls");
      const reached = new Set();
      for (let i = 0; i < controls.length * 2 + 10; i++) {
        await page.keyboard.press("Tab");
        const id = await page.evaluate(() => document.activeElement?.dataset?.keyboardCheck ?? null);
        if (id !== null) reached.add(id);
        if (reached.size === controls.length) break;
      }
      const missed = await page.evaluate(
        (ids) => ids.map((id) => document.querySelector(`[data-keyboard-check="${id}"]`)?.outerHTML.slice(0, 120)),
        controls.filter((id) => !reached.has(id)),
      );
      assert.deepEqual(missed, []);
      await page.getByTestId("history-clear").click();
      await page.context().close();
    });

    test("phone, 390 px: no sideways scroll; a 20 MB photo's and a GIF's errors are on screen without scrolling", async () => {
      const page = await openPage("/", PHONE);
      const cases = [
        {
          name: "big.jpg",
          mimeType: "image/jpeg",
          buffer: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(20 * 1024 * 1024)]),
        },
        {
          name: "anim.gif",
          mimeType: "image/gif",
          buffer: Buffer.from("GIF89a\x01\x00\x01\x00\x00\x00\x00;", "latin1"),
        },
      ];
      for (const file of cases) {
        await page.locator("#photo-input").setInputFiles(file);
        const error = page.getByTestId("error");
        await error.waitFor({ state: "visible" });
        const box = await error.boundingBox();
        assert.ok(
          box && box.y >= 0 && box.y + Math.min(box.height, 120) <= 844,
          `${file.name}: error at ${JSON.stringify(box)}`,
        );
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${file.name}: page is ${overflow}px wider than the phone`);
      }
      await analyse(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `answer view is ${overflow}px wider than the phone`);
      await page.context().close();
    });

    test("phone, 390 px: a refused photo's message is on screen without scrolling", async () => {
      const page = await openPage("/", PHONE);
      // A plain blue picture: the stand-in's gate refuses it (not_a_lesion).
      const png = await page.evaluate(async () => {
        const canvas = document.createElement("canvas");
        canvas.width = 320;
        canvas.height = 240;
        const ctx = canvas.getContext("2d");
        ctx.fillStyle = "#1d4ed8";
        ctx.fillRect(0, 0, 320, 240);
        ctx.fillStyle = "#93c5fd";
        ctx.fillRect(100, 60, 120, 120);
        return canvas.toDataURL("image/png").split(",")[1];
      });
      await page
        .locator("#photo-input")
        .setInputFiles({ name: "blue.png", mimeType: "image/png", buffer: Buffer.from(png, "base64") });
      const notice = page.locator('[data-testid="refusal"], [data-testid="error"]').first();
      await notice.waitFor({ state: "visible", timeout: 60_000 });
      const box = await notice.boundingBox();
      assert.ok(box && box.y >= 0 && box.y + Math.min(box.height, 120) <= 844, `refusal at ${JSON.stringify(box)}`);
      assert.equal(await page.getByTestId("result").count(), 0);
      assert.deepEqual(await axeViolations(page), [], "refusal view on a phone");
      await page.context().close();
    });

    test("no request carries history data, and none goes to a third party", () => {
      const foreign = requests.filter((r) => !r.url.startsWith(server.origin) && !/^(data|blob):/.test(r.url));
      assert.deepEqual(
        foreign.map((r) => r.url),
        [],
      );
      const leaks = requests.filter(
        (r) => r.url.includes("shoulder") || (r.body && r.body.includes(Buffer.from("shoulder"))),
      );
      assert.deepEqual(
        leaks.map((r) => r.url),
        [],
      );
      const posts = requests.filter((r) => r.method !== "GET").map((r) => new URL(r.url).pathname);
      assert.deepEqual([...new Set(posts)], ["/api/v1/predict"]);
    });
  });
}
