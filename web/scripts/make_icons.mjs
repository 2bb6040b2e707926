// The installable app's PNG icons (public/icons/), drawn from public/favicon.svg by Chromium.
// Run after changing the favicon: `node scripts/make_icons.mjs`; the PNGs are committed so that a
// build needs no browser. e2e_offline.mjs checks that they match the favicon and their stated sizes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launchChromium, WEB_DIR } from "./lib.mjs";

const svg = readFileSync(join(WEB_DIR, "public", "favicon.svg"), "utf8");
const out = join(WEB_DIR, "public", "icons");
const ICONS = [
  { name: "icon-192.png", size: 192, maskable: false },
  { name: "icon-512.png", size: 512, maskable: false },
  // Maskable: the launcher may cut the icon to any shape inside the middle 80%, so the
  // favicon sits at 70% on the theme colour.
  { name: "icon-maskable-512.png", size: 512, maskable: true },
];

const browser = await launchChromium();
try {
  for (const { name, size, maskable } of ICONS) {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    const inner = maskable ? Math.round(size * 0.7) : size;
    const background = maskable ? "#0f4c5c" : "transparent";
    const data = `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
    await page.setContent(
      `<html><body style="margin:0;width:${size}px;height:${size}px;display:grid;place-items:center;background:${background}">` +
        `<img src="${data}" width="${inner}" height="${inner}"></body></html>`,
    );
    await page.locator("img").evaluate((img) => img.decode());
    await page.screenshot({
      path: join(out, name),
      omitBackground: !maskable,
      clip: { x: 0, y: 0, width: size, height: size },
    });
    await page.close();
    console.log(`${name}: ${size}x${size}`);
  }
} finally {
  await browser.close();
}
