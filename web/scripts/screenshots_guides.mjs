// Screenshots of issue 19's wording views, English and Chinese, into docs/screenshots/: the answer
// (desktop), the ABCDE guide (phone) and the body map with a placed spot (desktop). Run after
// `npm run build`: `node scripts/screenshots_guides.mjs` (`npm run screenshots` runs it too).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium, makePhotos, pickModel, REPO, startServer } from "./lib.mjs";

const out = join(REPO, "docs", "screenshots");
mkdirSync(out, { recursive: true });
const manifest = makePhotos();
// The shipped model (with its measured figures, so the answer shows the "of 100" sentence) when present.
const server = await startServer({ model: pickModel().path });
const browser = await launchChromium();
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

async function answered(lang, size) {
  const page = await (await browser.newContext(size)).newPage();
  await page.goto(`${server.origin}/?lang=${lang}`);
  await page.locator("#photo-input").setInputFiles(manifest.photos[0].file);
  await page.getByTestId("result").waitFor({ timeout: 60_000 });
  await page.waitForTimeout(300);
  return page;
}

try {
  for (const lang of ["en", "zh"]) {
    let page = await answered(lang, DESKTOP);
    await page.getByTestId("result").screenshot({ path: join(out, `answer-${lang}.png`) });
    await page.getByLabel(/Spot name|斑点名称/).fill(lang === "en" ? "left shoulder" : "左肩");
    await page.getByTestId("place-picker").locator('[data-region="back.upper_back"]').click();
    await page.getByTestId("save").click();
    await page.getByTestId("body-map").waitFor();
    await page.getByTestId("body-map").screenshot({ path: join(out, `body-map-${lang}.png`) });
    await page.context().close();

    page = await answered(lang, PHONE);
    await page.getByTestId("result").getByTestId("abcde-open").click();
    await page.locator("dialog[open]").waitFor();
    await page.waitForTimeout(200);
    await page.screenshot({ path: join(out, `abcde-${lang}.png`) });
    await page.context().close();
  }
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await server.stop();
}
