/// <reference lib="webworker" />
/**
 * The service worker: skinscan works with no network once it has been opened.
 *
 * - The page's own files (index.html, the hashed assets, onnxruntime-web's .wasm/.mjs, icons,
 *   manifest) are cached at install under a name carrying the build's version, which vite.config.ts
 *   writes into this file; a new build is a new sw.js, so the browser installs it, and its
 *   activation deletes the older builds' caches.
 * - The model, its card and its held-out figures (`/models/`) are fetched network first, so a new model on the server
 *   is picked up at once, and kept for when the server cannot be reached.
 * - Navigations go to the network first and fall back to the cached page.
 * - `/api/` is never touched: answers and uploaded photos are health data, never cached.
 */
interface Build {
  /** Hash of every file of the build: a new build, a new cache. */
  version: string;
  /** The build's files, relative to the worker's scope ("" is the page itself). */
  files: string[];
}

declare const __SKINSCAN_BUILD__: Build;
declare const self: ServiceWorkerGlobalScope;

const BUILD = __SKINSCAN_BUILD__;
const PAGE_CACHE = `skinscan-page-${BUILD.version}`;
const MODEL_CACHE = "skinscan-model";
const MODEL_FILES = ["models/skinscan.json", "models/skinscan.onnx", "models/skinscan.metrics.json"];
/** How long a navigation waits for the network before the cached page is shown. */
const NAVIGATION_TIMEOUT_MS = 5000;

const scoped = (path: string): string => new URL(path, self.registration.scope).href;

function isModelFile(url: URL): boolean {
  return /\/models\/skinscan\.(onnx|json|metrics\.json)$/.test(url.pathname);
}

/** A 200 that is not a page (a host that answers every path with index.html is not a model). */
function isModelResponse(response: Response): boolean {
  return (
    response.ok && response.type !== "opaque" && !(response.headers.get("Content-Type") ?? "").includes("text/html")
  );
}

async function precacheModel(): Promise<void> {
  const cache = await caches.open(MODEL_CACHE);
  // Best effort: the page works without the model (uploads), so a failure must not block install.
  await Promise.all(
    MODEL_FILES.map(async (path) => {
      try {
        const response = await fetch(scoped(path));
        if (isModelResponse(response)) await cache.put(scoped(path), response);
      } catch {
        /* offline or no model: the first live reading online caches it */
      }
    }),
  );
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(PAGE_CACHE);
      await cache.addAll(BUILD.files.map(scoped));
      await precacheModel();
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith("skinscan-page-") && name !== PAGE_CACHE)
          .map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

async function navigation(request: Request): Promise<Response> {
  try {
    return await withTimeout(fetch(request), NAVIGATION_TIMEOUT_MS);
  } catch (error) {
    const cached = await caches.match(scoped(""), { cacheName: PAGE_CACHE });
    if (cached) return cached;
    throw error;
  }
}

async function networkFirst(event: FetchEvent): Promise<Response> {
  const request = event.request;
  const cache = await caches.open(MODEL_CACHE);
  try {
    const response = await fetch(request);
    if (isModelResponse(response)) {
      // Keep a copy unless the kept one is the same file (the server's ETag is the file's sha256).
      const kept = await cache.match(request.url);
      const etag = response.headers.get("ETag");
      if (!kept || !etag || kept.headers.get("ETag") !== etag)
        event.waitUntil(cache.put(request.url, response.clone()));
    }
    return response;
  } catch (error) {
    const cached = await cache.match(request.url);
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request: Request): Promise<Response> {
  const cached = await caches.match(request, { cacheName: PAGE_CACHE, ignoreSearch: true });
  return cached ?? fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  const sameOrigin = url.origin === self.location.origin;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/docs") || url.pathname.startsWith("/metrics"))
    return;
  if (request.mode === "navigate" && sameOrigin) event.respondWith(navigation(request));
  else if (isModelFile(url)) event.respondWith(networkFirst(event));
  else if (sameOrigin) event.respondWith(cacheFirst(request));
});
