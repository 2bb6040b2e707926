import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { type Plugin, transformWithEsbuild } from "vite";
import { defineConfig } from "vitest/config";

/**
 * onnxruntime-web's WebAssembly runtime, served by skinscan itself under /ort/ (no CDN):
 * emitted into the build, and served from node_modules by the dev server.
 */
const ORT_FILES = ["ort-wasm-simd-threaded.wasm", "ort-wasm-simd-threaded.mjs"];

function onnxRuntimeFiles(): Plugin {
  const dist = fileURLToPath(new URL("./node_modules/onnxruntime-web/dist/", import.meta.url));
  return {
    name: "skinscan-onnxruntime-files",
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const name = req.url?.split("?")[0]?.replace(/^\/ort\//, "");
        if (!req.url?.startsWith("/ort/") || !name || !ORT_FILES.includes(name)) return next();
        res.setHeader("Content-Type", name.endsWith(".wasm") ? "application/wasm" : "text/javascript");
        res.end(readFileSync(join(dist, name)));
      });
    },
    generateBundle() {
      for (const name of ORT_FILES) {
        this.emitFile({ type: "asset", fileName: `ort/${name}`, source: readFileSync(join(dist, name)) });
      }
    },
  };
}

/** Every file under `dir`, '/'-separated and relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path).map((inner) => `${name}/${inner}`) : [name];
  });
}

/**
 * The service worker (src/sw/sw.ts) as /sw.js, with the list of the build's files and the build's
 * version (a hash of all of them) written into it: the worker caches exactly this build, and a new
 * build, being a new sw.js, replaces that cache.
 */
function serviceWorker(): Plugin {
  const source = fileURLToPath(new URL("./src/sw/sw.ts", import.meta.url));
  let publicDir = "";
  return {
    name: "skinscan-service-worker",
    apply: "build",
    configResolved(config) {
      publicDir = config.publicDir;
    },
    // After writing: index.html joins the bundle late (Vite's own post plugin), so list it here.
    async writeBundle(options, bundle) {
      const hash = createHash("sha256");
      const files: string[] = [];
      const add = (name: string, content: string | Uint8Array) => {
        if (name.endsWith(".map")) return;
        files.push(name === "index.html" ? "" : name);
        hash.update(name).update("\0").update(content).update("\0");
      };
      for (const [name, output] of Object.entries(bundle).sort(([a], [b]) => a.localeCompare(b))) {
        add(name, output.type === "chunk" ? output.code : output.source);
      }
      if (publicDir) {
        for (const name of filesUnder(publicDir).sort()) add(name, readFileSync(join(publicDir, name)));
      }
      const build = { version: hash.digest("hex").slice(0, 16), files };
      const { code } = await transformWithEsbuild(readFileSync(source, "utf8"), source, {
        loader: "ts",
        target: "es2022",
      });
      if (!code.includes("__SKINSCAN_BUILD__")) throw new Error("sw.ts lost its __SKINSCAN_BUILD__ placeholder");
      if (!options.dir) throw new Error("no output folder for sw.js");
      writeFileSync(join(options.dir, "sw.js"), code.replace(/__SKINSCAN_BUILD__/g, JSON.stringify(build)));
    },
  };
}

export default defineConfig({
  plugins: [react(), onnxRuntimeFiles(), serviceWorker()],
  worker: { format: "es" },
  build: { target: "es2022", sourcemap: false, chunkSizeWarningLimit: 1024 },
  server: {
    // `npm run dev` talks to a local `skinscan serve` for the API and the model files.
    proxy: { "/api": "http://127.0.0.1:8000", "/models": "http://127.0.0.1:8000" },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    // A busy 2-core machine (training beside the tests) makes first renders take seconds.
    testTimeout: 30_000,
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
