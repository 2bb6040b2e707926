// Browser tests of the live camera and of refused photos (issue 9), run by e2e.mjs (or alone:
// `node scripts/e2e_live.mjs`, after `npm run build`). Everything is observed through the DOM
// (data attributes of [data-testid="live-result"] and the result), never through page globals.
// The gate cases use the contract-2 stand-in (tests/tiny_model.py: blue-toned photos are refused);
// the camera is Chromium's fake device fed YUV4MPEG2 recordings made by e2e_photos.py.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  cameraY4M,
  findChromium,
  installCanvasCamera,
  launchChromium,
  makePhotos,
  median,
  modelTakesViews,
  pickModel,
  REPO,
  recordLive,
  standInModel,
  startServer,
  waitForReadings,
  watchFileChooser,
  WEB_DIR,
  WORK_DIR,
} from "./lib.mjs";

/**
 * Browser and server must agree this closely on the same frame. The pixels and the model input are
 * bit-identical (checked); what differs is onnxruntime-web's WebAssembly kernels against native
 * onnxruntime. Model 2.0 as first exported differed by up to 3.8e-5: its colour-constancy ReduceMean
 * over all pixels accumulated differently (1e-4 relative) in the two runtimes (docs/web.md). The
 * re-export takes those means in two stages (rows, then columns); with it every (generated) test
 * photo and the fake camera's frame agree within 3.9e-7 (worst measured), so 1e-5 holds with room.
 * The test prints the worst difference it sees.
 */
const PARITY = 1e-5;
const STEADY_SECONDS = 5;

/**
 * A JPEG whose short side is >= 4x the input size is decoded by the server at 1/2, 1/4 or 1/8
 * scale (libjpeg's DCT scaling: fast, and a 48 MP photo never exists in memory at full size);
 * a browser decodes it at full size and box-reduces. Measured on the test's photos: 1024x768 worst
 * 2 levels (mean 0.16), 1920x1080 worst 1 (mean 0.15); the limits leave room for other photos. PNG,
 * and JPEG below that size, must be identical (they are: both decode with libjpeg-turbo). Upload
 * answers come from the server, and live frames and Capture never go through JPEG, so this
 * difference never reaches an answer; it shows only in the preview of the model's square.
 */
const JPEG_DCT_WORST = 4;
const JPEG_DCT_MEAN = 0.5;

/**
 * Issue 17's live limits for a lesion photo turning a full turn every 6 s in front of the camera
 * (a hand-held phone): after warm-up the shown percentage moves at most 10 points over a turn, and
 * the shown risk band changes at most 6 times a minute. Model 2.0 measured a 25-point median
 * spread and up to 36 band changes a minute; the views of model 3 (one per frame, averaged by the
 * smoothing) are what should bring it within. The test records TURNS turns after warm-up.
 *
 * Model 3 meets the band limit (0 changes a minute). The spread was 9.9 and 14.4 points a turn at 4.5
 * readings/s (loaded machine) and 21.0 / 19.2 at ~19 readings/s (quiet) with an 8-frame average;
 * with the 16-frame average 9.3 and 7.1 in one run, 9.8-13.9 in the fresh-clone repeats; with the 24-frame
 * average (steady.ts, model 3.1) 4.9-8.1 in five runs (docs/web.md). The test asserts both limits as
 * the issue states them (model 2.0: 25-29 points).
 */
const TURN = { seconds: 6, turns: 2, maxSpread: 0.1, issueSpread: 0.1, maxBandChangesPerMinute: 6 };

function python(args) {
  const run = spawnSync(join(REPO, ".venv", "bin", "python"), args, { cwd: REPO, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`${args.join(" ")} failed: ${run.stderr}`);
  return run.stdout;
}

/**
 * The turning video (web/scripts/turning_video.py) of one candidate photo, chosen by a rule fixed
 * before any live figure was seen: of the candidates the server answers, the one whose answer lies
 * closest to the card's threshold (the hardest case for a steady band: near a boundary, where the
 * logistic is steepest), ties to the first.
 */
async function turningVideo(origin) {
  const dir = join(WORK_DIR, "turning");
  const script = join(WEB_DIR, "scripts", "turning_video.py");
  const { candidates, from_data_set: fromData } = JSON.parse(python([script, dir]));
  const answered = [];
  for (const candidate of candidates) {
    const { status, body } = await predictFile(origin, candidate.file);
    if (status === 200)
      answered.push({ ...candidate, p: body.p_malignant, risk: body.risk, threshold: body.threshold });
  }
  if (!answered.length) {
    const names = candidates.map((c) => c.name).join(", ");
    // Without the data set the candidate is the synthetic lesion, which a real gate may refuse.
    if (!fromData) return { skip: `no data set (SKINSCAN_DATA) and the model refuses the synthetic lesion (${names})` };
    throw new Error(`the server refused every candidate photo: ${names}`);
  }
  const chosen = answered.reduce((best, c) =>
    Math.abs(c.p - c.threshold) < Math.abs(best.p - best.threshold) ? c : best,
  );
  const video = JSON.parse(python([script, dir, "--render", chosen.file]));
  const others = answered.map((c) => `${c.name} ${c.p.toFixed(3)}`).join(", ");
  return { ...video, photo: chosen.name, fromData, serverP: chosen.p, serverRisk: chosen.risk, answered: others };
}

/** Spread of the shown percentage per turn, and the shown band's changes, from a recording. */
function turnFigures(log, start, seconds, turns) {
  const read = log.filter((e) => e.state === "reading" && e["p-malignant"] !== null && e.t >= start);
  const spreads = [];
  for (let turn = 0; turn < turns; turn++) {
    const ps = read
      .filter((e) => e.t >= start + turn * seconds * 1000 && e.t < start + (turn + 1) * seconds * 1000)
      .map((e) => Number(e["p-malignant"]));
    spreads.push(ps.length ? Math.max(...ps) - Math.min(...ps) : Number.NaN);
  }
  const bands = log.filter((e) => e.t >= start && e.band).map((e) => e.band);
  const bandChanges = bands.slice(1).filter((b, i) => b !== bands[i]).length;
  const counts = log.filter((e) => e.t >= start).map((e) => Number(e.count));
  const refused = log.filter((e) => e.t >= start && e.state === "refused").length;
  return {
    spreads,
    bandChanges,
    bandChangesPerMinute: (bandChanges * 60) / (seconds * turns),
    bandsSeen: [...new Set(bands)],
    readings: Math.max(...counts) - Math.min(...counts),
    refusedSnapshots: refused,
    snapshots: log.filter((e) => e.t >= start).length,
    pRange: read.length
      ? [Math.min(...read.map((e) => Number(e["p-malignant"]))), Math.max(...read.map((e) => Number(e["p-malignant"])))]
      : null,
  };
}

async function predictFile(origin, file) {
  const form = new FormData();
  form.append("image", new Blob([readFileSync(file)]), basename(file));
  const response = await fetch(`${origin}/api/v1/predict`, { method: "POST", body: form });
  return { status: response.status, body: await response.json() };
}

/** Run `wait`; when it fails, print what the page shows (live view, result, refusal, error) first. */
async function waitOrExplain(page, wait) {
  try {
    return await wait();
  } catch (error) {
    const shown = await page.evaluate(() =>
      ["live-result", "result", "refusal", "error", "loading"].map((id) => {
        const element = document.querySelector(`[data-testid="${id}"]`);
        return `${id}: ${element ? element.outerHTML.slice(0, 600) : "absent"}`;
      }),
    );
    console.log(`# page at failure:\n# ${shown.join("\n# ")}`);
    throw error;
  }
}

/** Wait until the live view is in `phase` (live-result's data-phase: "live", "frozen", ...). */
function waitForPhase(page, phase) {
  return page.waitForFunction(
    (want) => document.querySelector('[data-testid="live-result"]')?.getAttribute("data-phase") === want,
    phase,
    {
      timeout: 30_000,
    },
  );
}

/** Label changes in a recording of the live view (the empty label, before settling, is not one). */
function labelChanges(log) {
  const labels = log.map((e) => e.label).filter(Boolean);
  return labels.slice(1).filter((l, i) => l !== labels[i]).length;
}

if (!findChromium()) {
  test("live browser tests", { skip: "Chromium not found (e2e.mjs reports it)" }, () => {});
} else {
  describe("live camera and refusals in Chromium", { concurrency: false }, () => {
    let manifest;
    let main;
    let standIn;
    const servers = [];
    const pageErrors = [];

    before(async () => {
      manifest = makePhotos();
      const model = pickModel();
      main = await startServer({ model: model.path });
      servers.push(main);
      standIn = model.tiny ? main : await startServer({ model: standInModel().path });
      if (standIn !== main) servers.push(standIn);
    });

    after(async () => {
      await Promise.all(servers.map((s) => s.stop()));
    });

    /** A page of `origin` in a fresh browser whose fake camera plays `y4m` (or none), at `viewport` (Playwright's 1280x720 if none). */
    /** `contextOptions`: Playwright's (a viewport, a phone's isMobile and hasTouch). */
    async function openBrowser(origin, y4m = null, contextOptions = {}) {
      const flags = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"];
      const browser = await launchChromium(y4m ? [...flags, `--use-file-for-fake-video-capture=${y4m}`] : []);
      const context = await browser.newContext(contextOptions);
      if (!y4m) await installCanvasCamera(context);
      const page = await context.newPage();
      page.setDefaultTimeout(90_000); // this machine may be shared with training: generous, not tight
      page.on("pageerror", (error) => pageErrors.push(String(error)));
      page.on(
        "console",
        (m) => m.type() === "error" && !/Failed to load resource/.test(m.text()) && pageErrors.push(m.text()),
      );
      await page.goto(origin + "/");
      return { browser, page };
    }

    test("upload: a photo the gate refuses shows the refusal and its hint, no probability, and a way to try again", async () => {
      const { status, body } = await predictFile(standIn.origin, manifest.everyday);
      assert.equal(status, 422, JSON.stringify(body));
      assert.equal(body.code, "not_a_lesion");
      assert.equal(body.p_malignant, undefined);
      const { browser, page } = await openBrowser(standIn.origin);
      try {
        await page.locator("#photo-input").setInputFiles(manifest.everyday);
        const refusal = page.getByTestId("refusal");
        await refusal.waitFor({ state: "visible", timeout: 30_000 });
        const text = await refusal.innerText();
        assert.equal(await refusal.getAttribute("data-code"), "not_a_lesion");
        // The page words the hint from the reason code (the server's hint is for API clients).
        assert.match(text, /Point the camera at one spot on the skin/, `hint shown: ${text}`);
        assert.doesNotMatch(text, /\d+(\.\d)?\s?%/);
        assert.equal(await page.getByTestId("result").count(), 0);
        const chooser = await watchFileChooser(page);
        await refusal.getByRole("button", { name: "Try another photo" }).click();
        assert.equal((await chooser.opened).mode, "selectSingle");
        await chooser.detach();
      } finally {
        await browser.close();
      }
    });

    test("live: an everyday scene stays refused, with the hint, and Capture is not offered", async () => {
      const { browser, page } = await openBrowser(standIn.origin, manifest.recordings.everyday);
      try {
        await page.getByTestId("camera-start").click();
        const log = await recordLive(page, 3_000, { afterCount: 1 });
        const read = log.filter((e) => Number(e.count) >= 1);
        assert.ok(Number(read.at(-1).count) - Number(read[0].count) >= 3, "readings keep coming");
        assert.deepEqual([...new Set(read.map((e) => e.state))], ["refused"]);
        assert.ok(
          read.every((e) => !e.capture && e["p-malignant"] === null),
          "no capture, no probability",
        );
        // The recording has occasional blurred frames, and the photo checks come before the gate, so a
        // reading may be refused as out of focus; the gate must refuse the scene itself.
        assert.ok(
          read.some((e) => /not_a_lesion/.test(e.reasons)),
          "the gate refuses the everyday scene",
        );
        const shown = await page.getByTestId("live-result").innerText();
        if (read.at(-1).reasons.split(" ").includes("not_a_lesion")) {
          assert.match(shown, /Point the camera at one spot on the skin/);
        } else {
          assert.ok(read.at(-1).reasons.length > 0 && /\S/.test(shown), `a hint is shown: ${shown}`);
        }
      } finally {
        await browser.close();
      }
    });

    test(`live: a hand-held recording of one lesion changes the shown label at most once in ${STEADY_SECONDS} s`, async () => {
      // Put the stand-in's threshold at the recording's median score, so frame-by-frame labels
      // would flip all the time: only smoothing and hysteresis keep the shown label steady.
      const answers = [];
      for (const file of manifest.recordings.lesion_samples) {
        const { status, body } = await predictFile(standIn.origin, file);
        if (status === 200) answers.push(body.p_malignant);
      }
      assert.ok(answers.length >= 5, `sharp frames answered: ${answers.length}`);
      const threshold = Number(median(answers).toFixed(6));
      const above = answers.filter((p) => p >= threshold).length;
      console.log(`# borderline threshold ${threshold}: ${above} of ${answers.length} sample frames at or above it`);
      assert.ok(above > 0 && above < answers.length);
      const borderline = await startServer({
        model: standInModel({
          name: "tiny-model-borderline",
          card: { threshold, risk_bands: { low: 0, medium: threshold, high: 0.9 } },
        }).path,
      });
      const { browser, page } = await openBrowser(borderline.origin, manifest.recordings.lesion);
      try {
        await page.getByTestId("camera-start").click();
        const log = await recordLive(page, STEADY_SECONDS * 1000, { afterCount: 1 });
        const read = log.filter((e) => Number(e.count) >= 1);
        const changes = labelChanges(read);
        const frames = Number(read.at(-1).count) - Number(read[0].count);
        console.log(
          `# steady: ${frames} readings in ${STEADY_SECONDS} s, label changes ${changes}, labels ${[...new Set(read.map((e) => e.label))]}`,
        );
        assert.ok(frames >= 5, "readings keep coming");
        assert.ok(changes <= 1, `the label changed ${changes} times`);
        const firstLabel = read.findIndex((e) => e.label);
        assert.ok(
          read.slice(0, firstLabel === -1 ? read.length : firstLabel).some((e) => e.holdSteady),
          "hold steady shown first",
        );
        assert.equal(read.at(-1).state, "reading");
        await page.getByTestId("heatmap-toggle").check();
        await page.getByTestId("live-heatmap").waitFor({ state: "visible" });
      } finally {
        await browser.close();
        await borderline.stop();
      }
    });

    // With a model that has no `views` input (model 2.0) this runs and prints its figures, but it is a
    // `todo` (reported, not failing the run): issue 17's limits are for model 3. With a model that
    // takes views it asserts them.
    const takesViews = modelTakesViews(pickModel().path);
    test(
      `live: a lesion photo turning a full turn every ${TURN.seconds} s: the percentage moves <= ${TURN.maxSpread * 100} points a turn (issue: ${TURN.issueSpread * 100}), the band changes <= ${TURN.maxBandChangesPerMinute} times a minute`,
      takesViews
        ? {}
        : { todo: "the served model has no views input (model 2.0): issue 17's limits are expected to fail" },
      async (t) => {
        const video = await turningVideo(main.origin);
        if (video.skip) return t.skip(video.skip);
        const { browser, page } = await openBrowser(main.origin, video.video);
        try {
          await page.getByTestId("camera-start").click();
          await waitOrExplain(page, () =>
            page.waitForFunction(
              () => document.querySelector('[data-testid="live-result"]')?.getAttribute("data-settled") === "true",
              null,
              {
                timeout: 180_000,
              },
            ),
          );
          // Warm-up: one more turn after the first settled reading, then TURN.turns turns recorded.
          const log = await recordLive(page, (TURN.turns + 1) * TURN.seconds * 1000);
          const start = log[0].t + TURN.seconds * 1000;
          const figures = turnFigures(log, start, TURN.seconds, TURN.turns);
          const result = {
            photo: video.photo,
            from_data_set: video.fromData,
            model: basename(pickModel().path),
            model_takes_views: takesViews,
            server_answer_still: { p_malignant: video.serverP, risk: video.serverRisk },
            candidates_answered: video.answered,
            turn_seconds: TURN.seconds,
            turns: TURN.turns,
            spread_points_per_turn: figures.spreads.map((x) => Number((100 * x).toFixed(1))),
            band_changes: figures.bandChanges,
            band_changes_per_minute: Number(figures.bandChangesPerMinute.toFixed(1)),
            bands_seen: figures.bandsSeen,
            shown_p_range: figures.pRange?.map((x) => Number(x.toFixed(3))),
            readings: figures.readings,
            refused_snapshots: `${figures.refusedSnapshots} of ${figures.snapshots}`,
          };
          writeFileSync(join(WORK_DIR, "live_turn.json"), JSON.stringify(result, null, 2) + "\n");
          console.log(`# turning: ${JSON.stringify(result)}`);
          assert.ok(figures.readings >= TURN.turns * 5, `readings keep coming (${figures.readings})`);
          assert.equal(figures.refusedSnapshots, 0, "the turning lesion is read, not refused");
          for (const spread of figures.spreads) {
            assert.ok(
              spread <= TURN.maxSpread,
              `the shown percentage moved ${(100 * spread).toFixed(1)} points in a turn`,
            );
          }
          assert.ok(
            figures.bandChangesPerMinute <= TURN.maxBandChangesPerMinute,
            `the shown band changed ${figures.bandChanges} times in ${TURN.turns * TURN.seconds} s`,
          );
        } finally {
          await browser.close();
        }
      },
    );

    test(`live: readings keep coming; Capture gives the server's answer for the same frame within ${PARITY}`, async () => {
      const { browser, page } = await openBrowser(main.origin, cameraY4M(manifest));
      try {
        await page.getByTestId("camera-start").click();
        const log = await recordLive(page, 3_000, { afterCount: 3 });
        const counts = log.map((e) => Number(e.count));
        const frameMs = median(log.map((e) => Number(e["frame-ms"])).filter((x) => x > 0));
        console.log(
          `# live: ${counts.at(-1) - counts[0]} readings in 3 s, median frame ${frameMs.toFixed(1)} ms (the rate is a bench figure)`,
        );
        assert.ok(counts.at(-1) - counts[0] >= 3, "readings keep coming");
        await page.getByTestId("capture").click();
        await capturedParity(page);
        // Back to the live view: the frozen frame's server answer goes, it is not left beside the
        // changing live reading; focus stays in the panel (its heading), not on <body>.
        await page.getByRole("button", { name: "Back to live view" }).click();
        await waitForPhase(page, "live");
        assert.equal(await page.getByTestId("result").count(), 0, "no server answer after Back to live view");
        assert.equal(await page.evaluate(() => document.activeElement?.id), "input-heading");
      } finally {
        await browser.close();
      }
    });

    test("live: 'Try another photo' on a refused capture goes back to the live view; with the camera stopped it opens the picker", async () => {
      const { status, body } = await predictFile(standIn.origin, manifest.everyday);
      assert.equal(status, 422, JSON.stringify(body));
      const { browser, page } = await openBrowser(standIn.origin);
      try {
        // The server refuses every capture (with its own refusal of the everyday photo): a frame the
        // in-browser model accepts is captured, so Capture is on offer.
        const refuse = { status: 422, contentType: "application/json", body: JSON.stringify(body) };
        await page.route("**/api/v1/predict", (route) => route.fulfill(refuse));
        await page.getByTestId("camera-start").click();
        await page.evaluate(
          (b64) => window.__e2eShowPhoto(b64),
          readFileSync(manifest.photos[0].file).toString("base64"),
        );
        const refusal = page.getByTestId("refusal");
        const retry = refusal.getByRole("button", { name: "Try another photo" });
        await page.getByTestId("capture").click();
        await waitOrExplain(page, () => refusal.waitFor({ state: "visible", timeout: 60_000 }));
        assert.equal(
          await page.evaluate(() => document.activeElement?.getAttribute("data-testid")),
          "refusal",
          "the refusal has focus",
        );
        await retry.click();
        await waitForPhase(page, "live");
        assert.equal(await refusal.count(), 0, "refusal cleared");
        assert.equal(await page.getByTestId("result").count(), 0);
        // Refused again, then the camera stopped: the upload is on screen, so the picker opens.
        await page.getByTestId("capture").click();
        await refusal.waitFor({ state: "visible", timeout: 60_000 });
        await page.getByRole("button", { name: "Stop camera" }).click();
        await page.getByTestId("camera-start").waitFor({ state: "visible" });
        const chooser = await watchFileChooser(page);
        await retry.click();
        assert.equal((await chooser.opened).mode, "selectSingle");
        await chooser.detach();
      } finally {
        await browser.close();
      }
    });

    /** After a capture: the frozen frame's in-browser score against the server's answer for it. */
    async function capturedParity(page, previous = null) {
      await waitOrExplain(page, () =>
        page.waitForFunction(
          (before) => {
            const live = document.querySelector('[data-testid="live-result"]');
            const result = document.querySelector('[data-testid="result"]');
            return (
              live?.getAttribute("data-phase") === "frozen" &&
              live.hasAttribute("data-p-malignant") &&
              result &&
              result.getAttribute("data-p-malignant") !== before
            );
          },
          previous,
          { timeout: 60_000 },
        ),
      );
      const liveP = Number(await page.getByTestId("live-result").getAttribute("data-p-malignant"));
      const serverP = Number(await page.getByTestId("result").getAttribute("data-p-malignant"));
      const diff = Math.abs(liveP - serverP);
      console.log(
        `# capture: in-browser ${liveP.toFixed(7)} server ${serverP.toFixed(7)} |d| ${diff.toExponential(2)}`,
      );
      assert.ok(diff <= PARITY, `live ${liveP} vs server ${serverP}`);
      return { serverP, diff };
    }

    test(`parity: every test photo as a camera frame, in-browser vs server within ${PARITY}`, async () => {
      const { browser, page } = await openBrowser(main.origin);
      try {
        await page.getByTestId("camera-start").click();
        let previous = null;
        let worst = 0;
        for (const { file } of manifest.photos) {
          await page.evaluate((b64) => window.__e2eShowPhoto(b64), readFileSync(file).toString("base64"));
          const count = Number(await page.getByTestId("live-result").getAttribute("data-count"));
          await waitForReadings(page, count + 3);
          await page.getByTestId("capture").click();
          const { serverP, diff } = await capturedParity(page, previous);
          previous = String(serverP);
          worst = Math.max(worst, diff);
          await page.getByRole("button", { name: "Back to live view" }).click();
        }
        console.log(`# parity: worst |d| = ${worst.toExponential(2)} over ${manifest.photos.length} photos`);
      } finally {
        await browser.close();
      }
    });

    test("parity: Chromium's decode + crop/resize of PNG and JPEG uploads (1280x720, 1024x768, 1920x1080) against the server's", async () => {
      const card = await (await fetch(`${main.origin}/models/skinscan.json`)).json();
      const size = card.input.size;
      const { files } = JSON.parse(
        python([join(WEB_DIR, "scripts", "parity_photos.py"), join(WORK_DIR, "parity"), String(size)]),
      );
      const { browser, page } = await openBrowser(main.origin);
      const rows = [];
      try {
        for (const photo of files) {
          await page.goto(main.origin + "/");
          await page.locator("#photo-input").setInputFiles(photo.file);
          // The page's model input for the upload, drawn 1:1 (putImageData) in the preview.
          const canvas = page.locator("canvas.photo-preview__model-input");
          await canvas.waitFor({ state: "attached", timeout: 60_000 });
          const b64 = await canvas.evaluate((c, s) => {
            if (c.width !== s) return null;
            const rgba = c.getContext("2d").getImageData(0, 0, s, s).data;
            let text = "";
            for (let i = 0; i < rgba.length; i += 4) text += String.fromCharCode(rgba[i], rgba[i + 1], rgba[i + 2]);
            return btoa(text);
          }, size);
          assert.ok(b64, `the preview shows a ${size} px model input`);
          const browserRgb = Buffer.from(b64, "base64");
          const serverRgb = readFileSync(photo.expected);
          assert.equal(browserRgb.length, serverRgb.length);
          let worst = 0;
          let differing = 0;
          let total = 0;
          for (let i = 0; i < serverRgb.length; i++) {
            const d = Math.abs(browserRgb[i] - serverRgb[i]);
            worst = Math.max(worst, d);
            differing += d > 0 ? 1 : 0;
            total += d;
          }
          rows.push({ ...photo, worst, differing, mean: total / serverRgb.length });
        }
      } finally {
        await browser.close();
      }
      for (const r of rows) {
        const how = r.server_dct_scaled ? "server DCT-scaled" : "same decode";
        console.log(
          `# pixel parity ${r.format} ${r.width}x${r.height} (reduce ${r.reduction}, ${how}): worst ${r.worst} levels, ${r.differing} of ${size * size * 3} values differ, mean ${r.mean.toFixed(3)}`,
        );
      }
      for (const r of rows) {
        const name = `${r.format} ${r.width}x${r.height}`;
        if (r.format === "PNG") assert.equal(r.worst, 0, `${name}: identical bytes`);
        else if (!r.server_dct_scaled)
          assert.equal(r.worst, 0, `${name}: identical bytes (both decode with libjpeg-turbo at full size)`);
        else
          assert.ok(
            r.worst <= JPEG_DCT_WORST && r.mean <= JPEG_DCT_MEAN,
            `${name}: within ${JPEG_DCT_WORST} levels, mean ${JPEG_DCT_MEAN}`,
          );
      }
    });

    test(`views: with a model that takes views (the stand-in), live frames keep coming one view each, and Capture (all 8 views) equals the server within ${PARITY}`, async () => {
      assert.ok(modelTakesViews(standInModel().path), "the stand-in has model 3's views input");
      const { browser, page } = await openBrowser(standIn.origin);
      try {
        await page.getByTestId("camera-start").click();
        await page.evaluate(
          (b64) => window.__e2eShowPhoto(b64),
          readFileSync(manifest.photos[0].file).toString("base64"),
        );
        // 3 cycles of the 8 views: a view the worker could not feed would stop the loop (model-failed).
        await waitOrExplain(page, () => waitForReadings(page, 24));
        assert.equal(await page.getByTestId("live-result").getAttribute("data-phase"), "live");
        await page.getByTestId("capture").click();
        await capturedParity(page);
      } finally {
        await browser.close();
      }
    });

    test("live layout, English and Chinese: with a reading shown, Capture is on screen without scrolling (1280x800); on a phone (390x844, touch) the live view scrolls into place with Capture on screen, no sideways scroll", async () => {
      const sizes = [
        { viewport: { width: 1280, height: 800 } },
        { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
      ];
      for (const options of sizes) {
        const { viewport } = options;
        // One browser per size; both languages in it (the words' lengths move the layout).
        const { browser, page } = await openBrowser(main.origin, cameraY4M(manifest), options);
        try {
          for (const lang of ["en", "zh"]) {
            await page.goto(`${main.origin}/?lang=${lang}`);
            await page.getByTestId("camera-start").click();
            await waitForReadings(page, 1);
            const capture = page.getByTestId("capture");
            await capture.waitFor({ state: "visible" });
            const box = await capture.boundingBox();
            const { scrollY, scrollWidth } = await page.evaluate(() => ({
              scrollY: window.scrollY,
              scrollWidth: document.documentElement.scrollWidth,
            }));
            const where = `${lang} ${viewport.width}x${viewport.height}`;
            console.log(
              `# layout ${where}: Capture at y ${Math.round(box.y)}..${Math.round(box.y + box.height)}, scrollY ${scrollY}`,
            );
            assert.equal(scrollWidth, viewport.width, `${where}: no sideways scroll`);
            // Desktop: the finding was Capture pushed below an 800 px window; the page must not scroll.
            // Phone (issue 19 item 4): one column; the live view is scrolled into place, Capture within the screen.
            if (viewport.width >= 900) assert.equal(scrollY, 0, `${where}: no scroll`);
            assert.ok(
              box.y >= 0 && box.y + box.height <= viewport.height,
              `${where}: Capture (y ${box.y}..${box.y + box.height}) inside the ${viewport.height} px window`,
            );
          }
        } finally {
          await browser.close();
        }
      }
    });

    test("no page error", () => {
      assert.deepEqual(pageErrors, []);
    });
  });
}
