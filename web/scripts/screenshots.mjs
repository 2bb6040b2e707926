// Screenshots of the page (desktop and phone; empty, result, error, live camera) into
// web/test-results/screenshots/, for a visual check. Run after `npm run build`.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { cameraY4M, launchChromium, makePhotos, pickModel, startServer, waitForReadings, WORK_DIR } from "./lib.mjs";

const dir = join(WORK_DIR, "screenshots");
mkdirSync(dir, { recursive: true });
const manifest = makePhotos();
const server = await startServer({ model: pickModel().path });
const browser = await launchChromium([
  "--use-fake-ui-for-media-stream",
  "--use-fake-device-for-media-stream",
  `--use-file-for-fake-video-capture=${cameraY4M(manifest)}`,
]);
const viewports = {
  desktop: { viewport: { width: 1280, height: 900 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
};
try {
  for (const [name, options] of Object.entries(viewports)) {
    const page = await (await browser.newContext(options)).newPage();
    await page.goto(`${server.origin}/`);
    await page.screenshot({ path: join(dir, `${name}-empty.png`), fullPage: true });
    const photo = manifest.photos.find((p) => p.file.includes("variant-wide")) ?? manifest.photos[0];
    await page.locator("#photo-input").setInputFiles(photo.file);
    await page.getByTestId("result").waitFor({ timeout: 30_000 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(dir, `${name}-result.png`), fullPage: true });
    await page.locator("#photo-input").setInputFiles(manifest.text);
    await page.getByTestId("error").waitFor();
    await page.screenshot({ path: join(dir, `${name}-error.png`), fullPage: true });
    await page.getByTestId("camera-start").click();
    await waitForReadings(page, 5, 60_000);
    await page.screenshot({ path: join(dir, `${name}-live.png`), fullPage: true });
    await page.getByTestId("capture").click();
    await page.getByTestId("result").waitFor({ timeout: 30_000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(dir, `${name}-captured.png`), fullPage: true });
    await page.context().close();
  }
  console.log(`screenshots in ${dir}`);
} finally {
  await browser.close();
  await server.stop();
}
