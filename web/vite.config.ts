import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import type { Plugin } from "vite";
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

export default defineConfig({
  plugins: [react(), onnxRuntimeFiles()],
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
