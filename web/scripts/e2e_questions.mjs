// Browser tests for the optional questionnaire (issue 18): the questions step in English and 中文,
// the answers sent with the photo, `answers-effect` on the answer, a saved check keeping the answers,
// the photo path without answers, and axe-core on the views. The real server with the contract-2
// stand-in model (tests/tiny_model.py) and a questionnaire section with clearly visible coefficients
// (the one of the parity fixture), and the built page in headless Chromium.
// Run: `node scripts/e2e_questions.mjs` (after `npm run build`); `npm run e2e` runs it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { findChromium, launchChromium, makePhotos, REPO, startServer, WORK_DIR } from "./lib.mjs";

const IN_CI = ["true", "1"].includes(String(process.env.CI).toLowerCase());
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** The stand-in model with the parity fixture's questionnaire section in its card. */
function modelWithQuestions() {
  const dir = join(WORK_DIR, "tiny-model-questions");
  const code = [
    "import json, sys",
    "sys.path.insert(0, 'tests')",
    "from pathlib import Path",
    "from tiny_model import write_tiny_model",
    "from skinscan.card import card_path_for, write_card",
    "model = write_tiny_model(sys.argv[1])",
    "card = json.loads(card_path_for(model).read_text())",
    "card['questionnaire'] = json.loads(Path('web/src/questions/parity.fixture.json').read_text())['questionnaire']",
    "write_card(card_path_for(model), card)",
    "print(model)",
  ].join("\n");
  const run = spawnSync(join(REPO, ".venv", "bin", "python"), ["-c", code, dir], { cwd: REPO, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`writing the stand-in failed: ${run.stderr}`);
  return run.stdout.trim();
}

if (!findChromium()) {
  test("questionnaire browser tests", { skip: !IN_CI && "Chromium not found" }, () => {
    assert.fail("Chromium not found: apt-get install -y chromium (or set CHROMIUM_PATH)");
  });
} else {
  describe("the questionnaire, in Chromium", { concurrency: false }, () => {
    let server;
    let browser;
    let manifest;

    before(async () => {
      manifest = makePhotos();
      server = await startServer({ model: modelWithQuestions() });
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    async function openPage(path = "/") {
      const context = await browser.newContext({ bypassCSP: true });
      const page = await context.newPage();
      await page.goto(server.origin + path);
      return page;
    }

    async function analyse(page) {
      await page.locator("#photo-input").setInputFiles(manifest.photos[0].file);
      const result = page.getByTestId("result");
      await result.waitFor({ state: "visible", timeout: 60_000 });
      return result;
    }

    async function seriousViolations(page) {
      await page.evaluate(AXE_SOURCE);
      const found = await page.evaluate(async () => {
        const result = await window.axe.run(document, { resultTypes: ["violations"] });
        return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target) }));
      });
      return found.filter((v) => v.impact === "serious" || v.impact === "critical");
    }

    const CASES = {
      en: {
        legend: /A few questions/i,
        effect: /Your answers raised it from \d+(\.\d)?% to \d+(\.\d)?%: .*it has grown/,
      },
      zh: { legend: /几个问题/, effect: /你的回答把它从 \d+(\.\d)?% 提高到 \d+(\.\d)?%：.*它变大了/ },
    };

    for (const [lang, expected] of Object.entries(CASES)) {
      test(`(${lang}) answering the questions moves the answer, says how, and is kept with a saved check`, async () => {
        const page = await openPage(`/?lang=${lang}`);
        const questions = page.getByTestId("questions");
        assert.match(await questions.innerText(), expected.legend);
        assert.equal(await questions.evaluate((el) => el.tagName), "FIELDSET");
        assert.deepEqual(await seriousViolations(page), [], "questions step");
        // keyboard: the age field takes typing, the selects take arrow keys
        await page.getByTestId("q-age").fill("80");
        await page.getByTestId("q-grown").selectOption("yes");
        await page.getByTestId("q-changed").selectOption("yes");
        await page.getByTestId("q-bleeds").focus();
        await page.keyboard.press("ArrowDown"); // don't know -> yes
        await page.getByTestId("q-itches").selectOption("no");
        const answered = page.waitForResponse((r) => r.url().endsWith("/api/v1/predict"));
        const result = await analyse(page);
        // the server echoes what it received and used: exactly the answers given ("don't know" is not sent)
        const echoed = (await (await answered).json()).answers;
        assert.deepEqual(Object.fromEntries(Object.entries(echoed).filter(([, v]) => v !== null)), {
          age: 80,
          grown: "yes",
          changed: "yes",
          bleeds: "yes",
          itches: "no",
        });
        const effect = page.getByTestId("answers-effect");
        await effect.waitFor({ state: "visible" });
        assert.match(await effect.innerText(), expected.effect);
        assert.ok(await result.isVisible());
        assert.deepEqual(await seriousViolations(page), [], "answer with answers-effect");
        // saved: the check keeps the answers (IndexedDB, on this device)
        await page.getByLabel(/Spot name|斑点名称/).fill(`questions ${lang}`);
        await page.getByTestId("save").click();
        await page.getByText(/Saved on this device|已保存在本设备上/).waitFor();
        const kept = await page.evaluate(
          () =>
            new Promise((resolve, reject) => {
              const open = indexedDB.open("skinscan");
              open.onerror = () => reject(open.error);
              open.onsuccess = () => {
                const db = open.result;
                const store = db.transaction([...db.objectStoreNames][0]).objectStore([...db.objectStoreNames][0]);
                const all = store.getAll();
                all.onsuccess = () => resolve(all.result.map((c) => c.answers ?? null));
              };
            }),
        );
        assert.ok(
          kept.some((a) => a && a.grown === "yes" && a.age === 80),
          `saved check keeps the answers: ${JSON.stringify(kept)}`,
        );
        await page.getByTestId("history-clear").click();
        await page.context().close();
      });
    }

    test("without answers the photo path is unchanged: no answers-effect, the photo's own estimate", async () => {
      const page = await openPage("/");
      const answered = page.waitForResponse((r) => r.url().endsWith("/api/v1/predict"));
      await analyse(page);
      const body = await (await answered).json();
      assert.ok(
        Object.values(body.answers).every((v) => v === null),
        JSON.stringify(body.answers),
      );
      assert.equal(body.p_malignant, body.p_malignant_photo);
      assert.equal(await page.getByTestId("answers-effect").count(), 0);
      await page.context().close();
    });

    test("an impossible age is explained beside the field and left out", async () => {
      const page = await openPage("/");
      await page.getByTestId("q-age").fill("999");
      await page.getByText(/whole number of years from 1 to 120/).waitFor();
      assert.equal(await page.getByTestId("q-age").getAttribute("aria-invalid"), "true");
      const answered = page.waitForResponse((r) => r.url().endsWith("/api/v1/predict"));
      await analyse(page);
      assert.equal((await (await answered).json()).answers.age ?? null, null);
      await page.context().close();
    });
  });
}
