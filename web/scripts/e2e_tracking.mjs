// Browser tests for tracking spots over time (issue 19): the page offline (service worker), the
// history backup (export, import into a fresh profile, hostile files refused), the calendar
// reminder, a spot's history as a PDF, the photo pair with zoom and the ghost guide when checking
// a spot again; in English and Chinese, desktop 1280x800 and phone 390x844, with axe-core.
// The real server with the contract-2 stand-in model and the built page in headless Chromium.
// Run: `node scripts/e2e_tracking.mjs` (after `npm run build`); `npm run e2e` runs it.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  findChromium,
  installCanvasCamera,
  launchChromium,
  makePhotos,
  standInModel,
  startServer,
  startStaticHost,
  waitForReadings,
  WEB_DIR,
  WORK_DIR,
} from "./lib.mjs";
import { backupFile, canonical, DAY, seedChecks } from "./tracking_fixtures.mjs";

const IN_CI = ["true", "1"].includes(String(process.env.CI).toLowerCase());
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const SIZES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
};
/** Every item in both languages on both sizes (one browser; each test a fresh context). */
const ALL_RUNS = [
  { lang: "en", size: "desktop" },
  { lang: "zh", size: "phone" },
  { lang: "en", size: "phone" },
  { lang: "zh", size: "desktop" },
];
const WORDS = {
  en: {
    saved: /Saved on this device/,
    spotLabel: /Spot name/,
    unreachable: /server/,
    backupBroken: /Nothing was imported/,
    reminderSummary: /Check the skin spot/,
    deleteOne: /^Delete the check/,
    undo: "Undo",
  },
  zh: {
    saved: /已保存在本设备上/,
    spotLabel: /斑点名称/,
    unreachable: /服务器/,
    backupBroken: /没有导入任何内容/,
    reminderSummary: /再次检查皮肤斑点/,
    deleteOne: /^删除 .*的检查$/,
    undo: "撤销",
  },
};

if (!findChromium()) {
  test("tracking browser tests", { skip: !IN_CI && "Chromium not found" }, () => {
    assert.fail("Chromium not found: apt-get install -y chromium (or set CHROMIUM_PATH)");
  });
} else {
  describe("tracking spots over time, in Chromium", { concurrency: false }, () => {
    let server;
    let browser;
    let manifest;
    let model;
    const requests = [];

    before(async () => {
      manifest = makePhotos();
      model = standInModel({ name: "tiny-model-v2" }).path;
      server = await startServer({ model });
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    async function openPage(origin, { lang = "en", size = "desktop", camera = false, context = null } = {}) {
      const ctx = context ?? (await browser.newContext({ bypassCSP: true, acceptDownloads: true, ...SIZES[size] }));
      if (camera) await installCanvasCamera(ctx);
      ctx.on("request", (request) =>
        requests.push({ url: request.url(), method: request.method(), body: request.postDataBuffer() }),
      );
      const page = await ctx.newPage();
      page.on("dialog", (dialog) => void dialog.accept());
      await page.goto(`${origin}/?lang=${lang}`);
      return page;
    }

    /** Three checks of one spot (60 and 30 days ago, and today) as a backup file on disk. */
    function seedFile(spot, name = "seed") {
      const file = join(WORK_DIR, `${name}.json`);
      writeFileSync(file, JSON.stringify(backupFile(seedChecks(spot, manifest))));
      return file;
    }

    async function importFile(page, file) {
      await page.getByTestId("history-import").setInputFiles(file);
      await page.waitForFunction(() => {
        const status = document.querySelector('[data-testid="backup-status"]');
        return status?.dataset.outcome === "imported" || status?.dataset.outcome === "refused";
      });
    }

    async function axeViolations(page) {
      await page.evaluate(AXE_SOURCE);
      const found = await page.evaluate(async () => {
        const result = await window.axe.run(document, { resultTypes: ["violations"] });
        return result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3),
        }));
      });
      return found;
    }

    async function download(page, click) {
      const waiting = page.waitForEvent("download", { timeout: 60_000 });
      await click();
      const file = await (await waiting).path();
      return readFileSync(file);
    }

    const itemCount = (page) => page.evaluate(() => document.querySelectorAll('[data-testid="history-item"]').length);

    /** Each history item as shown: spot name, date, photo. */
    const shownItems = (page) =>
      page.evaluate(() =>
        [...document.querySelectorAll('[data-testid="history-item"]')].map((item) => ({
          spot: item.querySelector("strong")?.textContent,
          when: item.querySelector("time")?.getAttribute("datetime"),
          photo: item.querySelector("img")?.getAttribute("src"),
        })),
      );
    /** The regions of the body map's markers. */
    const mapMarkers = (page) =>
      page.evaluate(() =>
        [...document.querySelectorAll('[data-testid="body-map"] [data-testid="body-marker"]')].map((m) =>
          m.getAttribute("data-region"),
        ),
      );

    for (const { lang, size } of ALL_RUNS) {
      test(`backup (${lang}, ${size}): export, import into a fresh profile, same spots, checks and photos`, async () => {
        const page = await openPage(server.origin, { lang, size });
        const spot = `backup ${lang} 左肩`;
        for (const [i, photo] of manifest.photos.slice(0, 2).entries()) {
          await page.locator("#photo-input").setInputFiles(photo.file);
          await page.getByTestId("result").waitFor({ state: "visible", timeout: 60_000 });
          await page.getByLabel(WORDS[lang].spotLabel).fill(i === 0 ? spot : `${spot} 2`);
          // The first spot placed on the body map, the second not.
          if (i === 0) await page.getByTestId("place-picker").locator('[data-region="back.upper_back"]').click();
          await page.getByTestId("save").click();
          await page.getByText(WORDS[lang].saved).waitFor();
        }
        const saved = await shownItems(page);
        assert.equal(saved.length, 2);
        assert.deepEqual(await mapMarkers(page), ["back.upper_back"]);
        const bytes = await download(page, () => page.getByTestId("history-export").click());
        const backup = JSON.parse(bytes.toString("utf8"));
        assert.equal(backup.format, "skinscan-history");
        assert.equal(backup.version, 2);
        assert.equal(backup.checks.length, 2);
        assert.deepEqual(
          backup.checks.map((c) => c.place?.region ?? null),
          ["back.upper_back", null],
        );
        for (const check of backup.checks) {
          assert.match(check.thumbnail, /^data:image\/jpeg;base64,/);
          assert.equal(
            check.sha256,
            createHash("sha256").update(canonical(check)).digest("hex"),
            "checksum as documented",
          );
        }
        await page.context().close();

        // A fresh profile (a new browser context: no IndexedDB, no service worker).
        const file = join(WORK_DIR, `backup-${lang}.json`);
        writeFileSync(file, bytes);
        const fresh = await openPage(server.origin, { lang, size });
        assert.equal(await itemCount(fresh), 0);
        await importFile(fresh, file);
        await fresh.waitForFunction(() => document.querySelectorAll('[data-testid="history-item"]').length === 2);
        assert.deepEqual(await shownItems(fresh), saved);
        // The place on the body came back too (the body map shows the spot where it was put).
        await fresh.getByTestId("body-map").waitFor({ state: "visible" });
        assert.deepEqual(await mapMarkers(fresh), ["back.upper_back"]);
        // Importing the same file again adds nothing.
        await importFile(fresh, file);
        assert.equal(await itemCount(fresh), 2);
        assert.deepEqual(await axeViolations(fresh), [], "history with backup controls");
        await fresh.context().close();
      });

      test(`backup (${lang}, ${size}): broken and hostile files are refused whole, with a message`, async () => {
        const page = await openPage(server.origin, { lang, size });
        await importFile(page, seedFile(`hostile ${lang}`, `seed-${lang}`));
        assert.equal(await itemCount(page), 3);
        const good = JSON.parse(readFileSync(join(WORK_DIR, `seed-${lang}.json`), "utf8"));
        const notImage = backupFile([
          {
            createdAt: Date.now() - DAY,
            spot: "x",
            p: 0.2,
            thumbnail: `data:image/png;base64,${Buffer.from("<svg onload=alert(1)>").toString("base64")}`,
          },
        ]);
        // Two checks numbered 1, each with a checksum that matches it.
        const twin = { ...good.checks[2], id: 1 };
        twin.sha256 = createHash("sha256").update(canonical(twin)).digest("hex");
        const badChecks = [...good.checks.slice(0, 2), twin];
        const cases = {
          "bad-json": { text: '{"format": "skinscan-history", "version": 1, "checks": [', code: "not_json" },
          version: { text: JSON.stringify({ ...good, version: 3 }), code: "newer_version" },
          "huge-string": {
            text: JSON.stringify(
              backupFile([{ createdAt: Date.now() - DAY, spot: "y".repeat(100_000), p: 0.2, thumbnail: null }]),
            ),
            code: "invalid_check",
          },
          "not-an-image": { text: JSON.stringify(notImage), code: "bad_image" },
          "duplicate-ids": { text: JSON.stringify({ ...good, checks: badChecks }), code: "duplicate_id" },
          tampered: {
            text: JSON.stringify({
              ...good,
              checks: good.checks.map((c, i) => (i === 1 ? { ...c, p_malignant: 0.99 } : c)),
            }),
            code: "checksum",
          },
        };
        for (const [name, { text, code }] of Object.entries(cases)) {
          const file = join(WORK_DIR, `hostile-${name}.json`);
          writeFileSync(file, text);
          await importFile(page, file);
          const error = page.getByTestId("backup-error");
          await error.waitFor({ state: "visible" });
          assert.equal(await error.getAttribute("data-code"), code, name);
          assert.match(await error.innerText(), WORDS[lang].backupBroken, name);
          assert.equal(await itemCount(page), 3, `${name}: nothing imported`);
        }
        assert.deepEqual(await axeViolations(page), [], "backup refusal");

        // Issue 19 item 5: deleting one check offers Undo and focus moves to it; Undo brings the
        // check back; after deleting all, focus is on the history heading, never on <body>.
        const before = await shownItems(page);
        await page.getByTestId("history-item").first().getByRole("button", { name: WORDS[lang].deleteOne }).click();
        await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-item"]').length === 2);
        const undo = page.getByTestId("history-undo").getByRole("button", { name: WORDS[lang].undo });
        await undo.waitFor();
        assert.equal(await undo.evaluate((el) => el === document.activeElement), true, "focus on Undo");
        assert.deepEqual(await axeViolations(page), [], "history with Undo");
        await page.keyboard.press("Enter");
        await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-item"]').length === 3);
        assert.deepEqual(await shownItems(page), before, "the same check is back");
        assert.equal(await page.evaluate(() => document.activeElement?.id), "history-heading");
        await page.getByTestId("history-clear").click();
        await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-item"]').length === 0);
        assert.equal(await page.evaluate(() => document.activeElement?.id), "history-heading");
        await page.context().close();
      });
    }

    for (const { lang, size } of ALL_RUNS) {
      test(`a spot's history (${lang}, ${size}): photo pair with zoom, reminder .ics, multi-page PDF`, async () => {
        const page = await openPage(server.origin, { lang, size });
        const spot = `spot ${lang} 背部`;
        await importFile(page, seedFile(spot, `spot-${lang}`));
        const compare = page.getByTestId("compare");
        await compare.getByTestId("compare-photos").waitFor();
        assert.equal(await compare.getByTestId("compare-photo").count(), 2);
        const figures = await compare
          .getByTestId("compare-photo")
          .evaluateAll((els) => els.map((el) => el.getBoundingClientRect().width));
        assert.ok(
          figures.every((w) => w >= (size === "phone" ? 150 : 250)),
          `photos are large: ${figures}`,
        );
        await compare.getByTestId("compare-zoom").focus();
        for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
        // Both photos zoom together, to 3x (after the short transition).
        await page.waitForFunction(() =>
          [...document.querySelectorAll(".photo-pair__img")].every((img) =>
            getComputedStyle(img).transform.startsWith("matrix(3, 0, 0, 3"),
          ),
        );
        // The score chart: dates on its time axis, the score line and the doctor line labelled.
        const chart = compare.getByTestId("score-chart");
        assert.ok(await chart.isVisible());
        const words = await chart.locator("text").allTextContents();
        assert.ok(words.filter((w) => /20\d\d/.test(w)).length >= 2, `dates on the axis: ${words}`);
        assert.ok(
          words.some((w) => /Doctor line|就医线/.test(w)),
          `doctor line labelled: ${words}`,
        );
        assert.ok(
          words.some((w) => /Model score|模型评分/.test(w)),
          `score line labelled: ${words}`,
        );

        // Reminder: 6 months from today, as an RFC 5545 file.
        await compare.locator(".reminder select").selectOption("6");
        const ics = (await download(page, () => compare.getByTestId("reminder").click())).toString("utf8");
        const unfolded = ics.replace(/\r\n /g, "");
        assert.match(ics, /^BEGIN:VCALENDAR\r\n/);
        assert.match(
          unfolded,
          /\r\nBEGIN:VEVENT\r\n[\s\S]*\r\nBEGIN:VALARM\r\n[\s\S]*END:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n$/,
        );
        const start = /DTSTART;VALUE=DATE:(\d{4})(\d{2})(\d{2})/.exec(unfolded);
        const expected = new Date();
        expected.setMonth(expected.getMonth() + 6);
        const days = (new Date(Number(start[1]), Number(start[2]) - 1, Number(start[3])) - expected) / DAY;
        assert.ok(Math.abs(days) <= 3, `reminder day ${start.slice(1).join("-")}`);
        assert.match(unfolded, /\r\nUID:[0-9a-f]{32}@skinscan\.local\r\n/);
        assert.match(unfolded, /\r\nDTSTAMP:\d{8}T\d{6}Z\r\n/);
        assert.match(
          unfolded.split("\r\n").find((l) => l.startsWith("SUMMARY:")),
          WORDS[lang].reminderSummary,
        );
        assert.ok(
          ics.split("\r\n").every((line) => Buffer.byteLength(line) <= 75),
          "lines folded at 75 octets",
        );

        // The doctor's PDF: a summary page and one page per check.
        const pdf = await download(page, () => compare.getByTestId("export").click());
        const text = pdf.toString("latin1");
        assert.equal(text.slice(0, 5), "%PDF-");
        assert.match(text.trimEnd(), /%%EOF$/);
        const pages = (text.match(/\/Type \/Page /g) ?? []).length;
        assert.equal(pages, 4, "summary + 3 checks");
        assert.ok(pdf.length > 50_000, `PDF is ${pdf.length} bytes`);
        assert.deepEqual(await axeViolations(page), [], "compare with photos, reminder and export");
        await page.context().close();
      });

      test(`retake with a guide (${lang}, ${size}): the last photo over the live view, saved under the same spot`, async () => {
        const page = await openPage(server.origin, { lang, size, camera: true });
        const spot = `ghost ${lang}`;
        await importFile(page, seedFile(spot, `ghost-${lang}`));
        const last = JSON.parse(readFileSync(join(WORK_DIR, `ghost-${lang}.json`), "utf8")).checks.at(-1);
        await page.evaluate(
          (b64) => window.__e2eShowPhoto(b64),
          readFileSync(manifest.photos[0].file).toString("base64"),
        );
        await page.getByTestId("retake").click();
        const ghost = page.getByTestId("ghost");
        await ghost.waitFor({ state: "visible", timeout: 60_000 });
        assert.equal(await ghost.getAttribute("src"), last.thumbnail);
        const opacity = Number(await ghost.evaluate((img) => getComputedStyle(img).opacity));
        assert.ok(opacity > 0.1 && opacity < 0.6, `faint: opacity ${opacity}`);
        await waitForReadings(page, 2);
        assert.deepEqual(await axeViolations(page), [], "live view with the guide");
        await page.getByTestId("ghost-toggle").uncheck();
        assert.equal(await ghost.count(), 0);
        await page.getByTestId("ghost-toggle").check();
        const capture = page.getByTestId("capture");
        await capture.waitFor({ state: "visible", timeout: 60_000 });
        await capture.click();
        await page.getByTestId("result").waitFor({ state: "visible", timeout: 60_000 });
        assert.equal(await page.getByLabel(WORDS[lang].spotLabel).inputValue(), spot, "saved under the same spot");
        await page.getByTestId("save").click();
        await page.getByText(WORDS[lang].saved).waitFor();
        assert.equal(await itemCount(page), 4);
        await page.context().close();
      });
    }

    test("offline: with the server stopped, a reload shows the page, history and live readings work, uploads say the server is needed; a new build replaces the cache", async () => {
      const own = await startServer({ model });
      const pages = [];
      try {
        for (const { lang, size } of ALL_RUNS) {
          const page = await openPage(own.origin, { lang, size, camera: true });
          await page.evaluate(() => navigator.serviceWorker.ready);
          await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
          const caches = await page.evaluate(async () => {
            const names = await caches.keys();
            const model = await caches.open("skinscan-model");
            return { names, model: (await model.keys()).map((r) => new URL(r.url).pathname) };
          });
          assert.equal(caches.names.filter((n) => n.startsWith("skinscan-page-")).length, 1, JSON.stringify(caches));
          assert.deepEqual(caches.model.sort(), ["/models/skinscan.json", "/models/skinscan.onnx"]);
          await importFile(page, seedFile(`offline ${lang}`, `offline-${lang}`));
          pages.push({ page, lang, size });
        }
      } finally {
        await own.stop();
      }
      const built = readFileSync(join(WEB_DIR, "dist", "sw.js"), "utf8");
      const version = /"version":"([0-9a-f]+)"/.exec(built)[1];
      for (const { page, lang, size } of pages) {
        await page.reload();
        await page.getByTestId("disclaimer").waitFor();
        await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-item"]').length === 3);
        await page.evaluate(
          (b64) => window.__e2eShowPhoto(b64),
          readFileSync(manifest.photos[0].file).toString("base64"),
        );
        await page.getByTestId("camera-start").click();
        await waitForReadings(page, 2);
        assert.match(await page.getByTestId("live-result").getAttribute("data-state"), /^(reading|refused)$/);
        await page.getByRole("button", { name: /Stop camera|关闭相机|停止/ }).click();
        await page.locator("#photo-input").setInputFiles(manifest.photos[1].file);
        const error = page.getByTestId("error");
        await error.waitFor({ state: "visible", timeout: 60_000 });
        assert.equal(await error.getAttribute("data-code"), "unreachable");
        assert.match(await error.innerText(), WORDS[lang].unreachable);
        assert.deepEqual(await axeViolations(page), [], `offline page (${lang}, ${size})`);
      }

      // A new build at the same origin: the browser installs its sw.js, which replaces the cache.
      const port = new URL(own.origin).port;
      const dist = join(WORK_DIR, "dist-next");
      cpSync(join(WEB_DIR, "dist"), dist, { recursive: true });
      writeFileSync(join(dist, "sw.js"), built.replace(`"version":"${version}"`, '"version":"0000000000000002"'));
      const host = await startStaticHost(dist, Number(port));
      try {
        const { page } = pages[0];
        await page.reload();
        // The new worker installs (new cache), then activates (the old cache goes).
        const names = await page.evaluate(async () => {
          const done = (keys) =>
            keys.includes("skinscan-page-0000000000000002") &&
            keys.filter((k) => k.startsWith("skinscan-page-")).length === 1;
          for (let i = 0; i < 300 && !done(await caches.keys()); i++) await new Promise((r) => setTimeout(r, 200));
          return caches.keys();
        });
        assert.deepEqual(
          names.filter((n) => n.startsWith("skinscan-page-")),
          ["skinscan-page-0000000000000002"],
        );
        assert.ok(names.includes("skinscan-model"), "the model stays cached");
      } finally {
        await host.stop();
        for (const { page } of pages) await page.context().close();
      }
    });

    test("the installable app: manifest and icons as stated, service worker at the root", async () => {
      const manifestJson = await (await fetch(`${server.origin}/manifest.webmanifest`)).json();
      assert.equal(manifestJson.start_url, "/");
      assert.equal(manifestJson.display, "standalone");
      for (const icon of manifestJson.icons.filter((i) => i.type === "image/png")) {
        const response = await fetch(`${server.origin}${icon.src}`);
        assert.equal(response.status, 200, icon.src);
        const png = Buffer.from(await response.arrayBuffer());
        const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
        assert.equal(`${w}x${h}`, icon.sizes, icon.src);
      }
      const sw = await fetch(`${server.origin}/sw.js`);
      assert.equal(sw.status, 200);
      assert.match(sw.headers.get("content-type"), /javascript/);
      const source = await sw.text();
      const files = JSON.parse(/const BUILD = (\{.*?\});/.exec(source)[1]).files;
      for (const file of ["", "manifest.webmanifest", "icons/icon-192.png", "ort/ort-wasm-simd-threaded.wasm"]) {
        assert.ok(files.includes(file), `precached: ${file || "the page"}`);
      }
      assert.ok(files.some((f) => /^assets\/index-.*\.js$/.test(f)));
      assert.ok(!files.some((f) => f.startsWith("api/") || f.startsWith("models/")));
    });

    test("no request carries history data, none goes to a third party, and only photos are posted", () => {
      const origins = new Set(requests.map((r) => new URL(r.url).origin).filter((o) => o !== "null"));
      for (const origin of origins) assert.match(origin, /^http:\/\/127\.0\.0\.1:\d+$/);
      const posts = requests.filter((r) => r.method !== "GET").map((r) => new URL(r.url).pathname);
      assert.deepEqual([...new Set(posts)], ["/api/v1/predict"]);
      const leaks = requests.filter(
        (r) =>
          r.body &&
          ["skinscan-history", "左肩", "背部", "backup en", "ghost en"].some((s) => r.body.includes(Buffer.from(s))),
      );
      assert.deepEqual(
        leaks.map((r) => r.url),
        [],
      );
    });
  });
}
