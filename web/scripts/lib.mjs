// Shared by the browser tests (e2e.mjs), the benchmark (bench.mjs) and screenshots.mjs:
// find Chromium, start the real skinscan server, make test photos, write Y4M for the fake camera.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO = resolve(WEB_DIR, "..");
export const WORK_DIR = join(WEB_DIR, "test-results"); // git-ignored
const VENV_BIN = join(REPO, ".venv", "bin");

export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Path of a Chromium to drive; null if none. CHROMIUM_PATH, when set, is the only candidate. */
export function findChromium() {
  if (process.env.CHROMIUM_PATH) return existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : null;
  for (const path of ["/usr/bin/chromium", "/usr/bin/chromium-browser"]) if (existsSync(path)) return path;
  const which = spawnSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], { encoding: "utf8" });
  const found = which.stdout.trim();
  return found && existsSync(found) ? found : null;
}

/** Launch headless Chromium through playwright-core (no browser download: the system one). */
export async function launchChromium(extraArgs = []) {
  const { chromium } = await import("playwright-core");
  const executablePath = findChromium();
  if (!executablePath) throw new Error("Chromium not found (apt-get install -y chromium, or set CHROMIUM_PATH)");
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_FLAGS, ...extraArgs] });
}

/**
 * Watch for the page's next file chooser. Awaits Chromium's confirmation that file choosers are
 * intercepted before returning, so a key press sent right after cannot open (and, headless, silently
 * drop) a chooser first. Playwright's own `waitForEvent("filechooser")` switches interception on
 * with a message it does not wait for: a click hides that race behind its actionability checks, a
 * key press (two quick CDP messages) loses it about half the time.
 */
export async function watchFileChooser(page, timeout = 20_000) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Page.enable");
  await cdp.send("Page.setInterceptFileChooserDialog", { enabled: true });
  const opened = new Promise((resolveOpened, reject) => {
    const timer = setTimeout(() => reject(new Error(`no file chooser within ${timeout} ms`)), timeout);
    cdp.once("Page.fileChooserOpened", (event) => {
      clearTimeout(timer);
      resolveOpened(event);
    });
  });
  return { opened, detach: () => cdp.detach().catch(() => undefined) };
}

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * The contract-2 stand-in (tests/tiny_model.py) in `WORK_DIR/<name>`, written afresh whenever
 * tiny_model.py is newer than it (so a stale contract-1 stand-in is never served). `card` patches
 * its card (e.g. a threshold), keeping the model file.
 */
export function standInModel({ name = "tiny-model", card = null } = {}) {
  const dir = join(WORK_DIR, name);
  const path = join(dir, "skinscan.onnx");
  const source = join(REPO, "tests", "tiny_model.py");
  if (!existsSync(path) || statSync(path).mtimeMs < statSync(source).mtimeMs) {
    const run = spawnSync(join(VENV_BIN, "python"), [source, dir], { cwd: REPO, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`tests/tiny_model.py failed: ${run.stderr}`);
  }
  if (card) {
    const cardPath = join(dir, "skinscan.json");
    writeFileSync(cardPath, JSON.stringify({ ...JSON.parse(readFileSync(cardPath, "utf8")), ...card }, null, 2));
  }
  return { path, tiny: true };
}

/**
 * The model to serve: SKINSCAN_MODEL, else the shipped models/skinscan.onnx, else the tiny
 * contract-2 stand-in (fast, untrained, honours the contract).
 */
export function pickModel() {
  const candidates = [process.env.SKINSCAN_MODEL, join(REPO, "models", "skinscan.onnx")];
  for (const path of candidates) {
    if (path && existsSync(path) && existsSync(path.replace(/\.onnx$/, ".json"))) return { path, tiny: false };
  }
  return standInModel();
}

/** The newest modification time (ms) of the files under `path` (a file or a folder). */
function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), 0);
}

/**
 * Tests and benchmarks run against web/dist: a page built before the sources last changed would test
 * old code and time old code (it happened: run by hand, `node scripts/e2e.mjs` does not rebuild, while
 * `make test` and `make bench` do). Fail with what to do instead.
 */
export function assertBuiltFromSources(webDir) {
  const built = statSync(join(webDir, "index.html")).mtimeMs;
  const sources = ["src", "public", "index.html", "vite.config.ts"]
    .map((name) => join(WEB_DIR, name))
    .filter(existsSync);
  const newest = Math.max(...sources.map(newestMtime));
  if (newest > built)
    throw new Error(`${webDir} is older than the page's sources: run \`make web\` (make test and make bench do it)`);
}

/**
 * Start `skinscan serve` with the built page through the project's one launcher
 * (`python -m skinscan.bench.launch`: free port, waits for /api/v1/health, SIGTERM on stop).
 * Resolves once the server is healthy.
 */
export async function startServer({
  model,
  webDir = process.env.SKINSCAN_E2E_DIST ?? join(WEB_DIR, "dist"),
  env = {},
} = {}) {
  if (!existsSync(join(webDir, "index.html"))) throw new Error(`${webDir}/index.html missing: run npm run build`);
  if (resolve(webDir) === join(WEB_DIR, "dist")) assertBuiltFromSources(webDir);
  const python = join(VENV_BIN, "python");
  if (!existsSync(python)) throw new Error(`${python} missing: run make install`);
  const args = ["-m", "skinscan.bench.launch", "--model", model, "--web-dir", webDir, "--timeout-s", "180"];
  const child = spawn(python, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const ready = await new Promise((resolveReady, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.includes("\n")) resolveReady(JSON.parse(out.slice(0, out.indexOf("\n"))));
    });
    child.once("exit", (code) => reject(new Error(`skinscan serve did not start (${code}):\n${stderr}`)));
  });
  return {
    origin: ready.origin,
    port: ready.port,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once("exit", () => done());
        child.stdin.end(); // the launcher stops the server when its stdin closes
        setTimeout(() => child.kill("SIGTERM"), 45_000).unref();
      }),
  };
}

/** The first page picture (its JPEG bytes, /DCTDecode) of a PDF written by src/report/pdf.ts. */
export function pdfFirstPicture(pdf) {
  const marker = /\/Filter \/DCTDecode \/Length (\d+) >>\nstream\n/.exec(pdf.toString("latin1"));
  if (!marker) throw new Error("the PDF has no JPEG page picture");
  const start = marker.index + marker[0].length;
  return pdf.subarray(start, start + Number(marker[1]));
}

/** Test photos (web/scripts/e2e_photos.py): from SKINSCAN_DATA when set, else generated. */
export function makePhotos() {
  const out = join(WORK_DIR, "photos");
  mkdirSync(out, { recursive: true });
  const run = spawnSync(join(VENV_BIN, "python"), [join(WEB_DIR, "scripts", "e2e_photos.py"), out], {
    cwd: REPO,
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`e2e_photos.py failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/**
 * Write a YUV4MPEG2 file (4:2:0, BT.601 limited range) repeating one RGB frame, for
 * Chromium's --use-file-for-fake-video-capture.
 */
export function writeY4M(rgb, width, height, path, frames = 30) {
  const y = Buffer.alloc(width * height);
  const cw = width / 2;
  const ch = height / 2;
  const u = Buffer.alloc(cw * ch);
  const v = Buffer.alloc(cw * ch);
  const clamp = (x) => Math.max(0, Math.min(255, Math.round(x)));
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const i = (row * width + col) * 3;
      y[row * width + col] = clamp(16 + 0.257 * rgb[i] + 0.504 * rgb[i + 1] + 0.098 * rgb[i + 2]);
    }
  }
  for (let row = 0; row < ch; row++) {
    for (let col = 0; col < cw; col++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dy, dx] of [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ]) {
        const i = ((2 * row + dy) * width + 2 * col + dx) * 3;
        r += rgb[i];
        g += rgb[i + 1];
        b += rgb[i + 2];
      }
      r /= 4;
      g /= 4;
      b /= 4;
      u[row * cw + col] = clamp(128 - 0.148 * r - 0.291 * g + 0.439 * b);
      v[row * cw + col] = clamp(128 + 0.439 * r - 0.368 * g - 0.071 * b);
    }
  }
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`, "ascii");
  const frame = Buffer.concat([Buffer.from("FRAME\n", "ascii"), y, u, v]);
  writeFileSync(path, Buffer.concat([header, ...Array(frames).fill(frame)]));
  return path;
}

export function cameraY4M(manifest, size = null) {
  const { file, width, height } = manifest.camera;
  if (!size || (size.width === width && size.height === height)) {
    return writeY4M(readFileSync(file), width, height, join(WORK_DIR, "camera.y4m"));
  }
  // The same frame at another camera size (nearest neighbour: a benchmark input, not a photo).
  const rgb = readFileSync(file);
  const out = Buffer.alloc(size.width * size.height * 3);
  for (let y = 0; y < size.height; y++) {
    const sy = Math.min(height - 1, Math.floor((y * height) / size.height));
    for (let x = 0; x < size.width; x++) {
      const sx = Math.min(width - 1, Math.floor((x * width) / size.width));
      rgb.copy(out, (y * size.width + x) * 3, (sy * width + sx) * 3, (sy * width + sx) * 3 + 3);
    }
  }
  return writeY4M(out, size.width, size.height, join(WORK_DIR, `camera-${size.width}x${size.height}.y4m`));
}

/** Whether a model file takes model 3's `views` input (an input, or an overridable initializer). */
export function modelTakesViews(path) {
  const code =
    "import sys, onnxruntime as o; s = o.InferenceSession(sys.argv[1], providers=['CPUExecutionProvider']); " +
    "print(int('views' in [i.name for i in s.get_inputs() + s.get_overridable_initializers()]))";
  const run = spawnSync(join(VENV_BIN, "python"), ["-c", code, path], { cwd: REPO, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`cannot read the inputs of ${path}: ${run.stderr}`);
  return run.stdout.trim() === "1";
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".css": "text/css",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

/** A plain static host for a built page (stands in for Firebase Hosting in the split-hosting test). */
export async function startStaticHost(root, port) {
  const { createServer: createHttpServer } = await import("node:http");
  const { extname, normalize } = await import("node:path");
  port ??= await freePort();
  const server = createHttpServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    let file = join(root, path);
    if (!file.startsWith(root) || !existsSync(file) || path.endsWith("/")) file = join(root, "index.html");
    res.setHeader("Content-Type", CONTENT_TYPES[extname(file)] ?? "application/octet-stream");
    res.end(readFileSync(file));
  });
  await new Promise((done) => server.listen(port, "127.0.0.1", done));
  return { origin: `http://127.0.0.1:${port}`, stop: () => new Promise((done) => server.close(done)) };
}

/** Build the page into `outDir` with extra environment (e.g. VITE_API_BASE). */
export function buildPage(outDir, env) {
  const run = spawnSync("npx", ["vite", "build", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"], {
    cwd: WEB_DIR,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`vite build failed: ${run.stderr}`);
}

/**
 * Record the live view from the DOM only: every change of `[data-testid="live-result"]` (state,
 * label, score, count, timings, the hold-steady cue, whether Capture is offered), for `ms`
 * milliseconds from the moment it has shown `afterCount` readings.
 */
export async function recordLive(page, ms, { afterCount = 0, timeout = 120_000 } = {}) {
  return page.evaluate(
    ({ duration, afterCount, timeout }) =>
      new Promise((resolveLog, reject) => {
        const names = [
          "state",
          "label",
          "band",
          "p-malignant",
          "p-dermoscopic",
          "count",
          "settled",
          "frame-ms",
          "model-ms",
          "preprocess-ms",
          "reasons",
          "phase",
        ];
        const log = [];
        let started = false;
        const snapshot = () => {
          const live = document.querySelector('[data-testid="live-result"]');
          if (!live) return;
          const entry = Object.fromEntries(names.map((n) => [n, live.getAttribute(`data-${n}`)]));
          entry.t = performance.now();
          entry.holdSteady = !!live.querySelector('[data-testid="hold-steady"]');
          entry.capture = !!document.querySelector('[data-testid="capture"]');
          log.push(entry);
          if (!started && Number(entry.count) >= afterCount) {
            started = true;
            setTimeout(() => {
              observer.disconnect();
              snapshot();
              resolveLog(log);
            }, duration);
          }
        };
        const observer = new MutationObserver(snapshot);
        observer.observe(document.body, { attributes: true, childList: true, subtree: true, characterData: true });
        snapshot();
        setTimeout(
          () => !started && reject(new Error(`fewer than ${afterCount} live readings in ${timeout} ms`)),
          timeout,
        );
      }),
    { duration: ms, afterCount, timeout },
  );
}

/**
 * The next `n` live readings' timings (frame, model, crop/resize in ms), read from the live view's
 * data attributes as each reading appears.
 */
export async function collectFrames(page, n, timeout = 300_000) {
  return page.evaluate(
    ({ n, timeout }) =>
      new Promise((resolveFrames, reject) => {
        const live = document.querySelector('[data-testid="live-result"]');
        if (!live) return reject(new Error("no live-result"));
        const frames = [];
        let last = Number(live.getAttribute("data-count"));
        const t0 = performance.now();
        const observer = new MutationObserver(() => {
          const count = Number(live.getAttribute("data-count"));
          if (count === last) return;
          last = count;
          const read = (name) => Number(live.getAttribute(`data-${name}`));
          frames.push({ frameMs: read("frame-ms"), modelMs: read("model-ms"), preprocessMs: read("preprocess-ms") });
          if (frames.length >= n) {
            observer.disconnect();
            resolveFrames({ frames, seconds: (performance.now() - t0) / 1000 });
          }
        });
        observer.observe(live, { attributes: true });
        setTimeout(() => reject(new Error(`only ${frames.length} of ${n} readings in ${timeout} ms`)), timeout);
      }),
    { n, timeout },
  );
}

/** Wait until the live view has shown at least `n` readings. */
export async function waitForReadings(page, n, timeout = 120_000) {
  await page.waitForFunction(
    (count) => Number(document.querySelector('[data-testid="live-result"]')?.getAttribute("data-count")) >= count,
    n,
    { timeout },
  );
}

/**
 * A camera for tests without a Y4M file: getUserMedia answers with a canvas's stream, and
 * `window.__e2eShowPhoto(base64)` (defined by this test script, never by the page) paints a photo
 * into it, upright, at its own size.
 */
export async function installCanvasCamera(context) {
  await context.addInitScript(() => {
    const canvas = document.createElement("canvas");
    canvas.width = 640;
    canvas.height = 480;
    const context2d = canvas.getContext("2d");
    let shown = null;
    let stream = null;
    const paint = () => shown && context2d.drawImage(shown, 0, 0);
    setInterval(paint, 50);
    window.__e2eShowPhoto = async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes]), { imageOrientation: "from-image" });
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
      shown?.close();
      shown = bitmap;
      paint();
      return [bitmap.width, bitmap.height];
    };
    navigator.mediaDevices.getUserMedia = async () => {
      stream ??= canvas.captureStream(20);
      return stream;
    };
  });
}
