// Screenshots of the tracking views (issue 19), English and Chinese, into docs/screenshots/:
// a spot's comparison (photo pair, chart, retake, PDF, reminder), the backup controls with a
// refused file, the live camera with the last photo as a guide, the page offline, and the first
// page of a spot's PDF. Run after `npm run build`: `node scripts/screenshots_tracking.mjs`
// (`npm run screenshots` runs it too). Deterministic data: a backup file written by the script.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  installCanvasCamera,
  launchChromium,
  makePhotos,
  pdfFirstPicture,
  REPO,
  standInModel,
  startServer,
  waitForReadings,
  WORK_DIR,
} from "./lib.mjs";
import { backupFile, seedChecks } from "./tracking_fixtures.mjs";

const out = join(REPO, "docs", "screenshots");
mkdirSync(out, { recursive: true });
const manifest = makePhotos();
const server = await startServer({ model: standInModel({ name: "tiny-model-v2" }).path });
const browser = await launchChromium();
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const SPOTS = { en: "left shoulder", zh: "左肩" };

async function open(lang, size, camera = false) {
  const context = await browser.newContext({ ...size, acceptDownloads: true });
  if (camera) await installCanvasCamera(context);
  const page = await context.newPage();
  await page.goto(`${server.origin}/?lang=${lang}`);
  const file = join(WORK_DIR, `screenshot-seed-${lang}.json`);
  writeFileSync(file, JSON.stringify(backupFile(seedChecks(SPOTS[lang], manifest))));
  await page.getByTestId("history-import").setInputFiles(file);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-item"]').length === 3);
  return page;
}

try {
  for (const lang of ["en", "zh"]) {
    const page = await open(lang, DESKTOP);
    const compare = page.getByTestId("compare");
    await compare.getByTestId("compare-photos").waitFor();
    await page.waitForTimeout(300);
    await compare.screenshot({ path: join(out, `compare-${lang}.png`) });

    const waiting = page.waitForEvent("download");
    await compare.getByTestId("export").click();
    const pdf = readFileSync(await (await waiting).path());
    // The PDF's first page is a JPEG picture: write it out as it is.
    writeFileSync(join(out, `pdf-page1-${lang}.jpg`), pdfFirstPicture(pdf));

    const broken = join(WORK_DIR, "screenshot-broken.json");
    writeFileSync(broken, '{"format": "skinscan-history", "version": 7, "checks": []}');
    await page.getByTestId("history-import").setInputFiles(broken);
    await page.getByTestId("backup-error").waitFor();
    await page.getByTestId("history").screenshot({ path: join(out, `backup-${lang}.png`) });
    await page.context().close();

    const phone = await open(lang, PHONE, true);
    await phone.evaluate((b64) => window.__e2eShowPhoto(b64), readFileSync(manifest.photos[2].file).toString("base64"));
    await phone.getByTestId("retake").click();
    await phone.getByTestId("ghost").waitFor();
    await waitForReadings(phone, 3, 60_000);
    await phone.locator(".panel--input").screenshot({ path: join(out, `ghost-${lang}.png`) });
    await phone.context().close();

    const offline = await open(lang, PHONE);
    await offline.evaluate(() => navigator.serviceWorker.ready);
    await offline.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await offline.context().setOffline(true);
    await offline.reload();
    await offline.getByTestId("offline").waitFor();
    await offline.screenshot({ path: join(out, `offline-${lang}.png`) });
    await offline.context().close();
  }
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await server.stop();
}
