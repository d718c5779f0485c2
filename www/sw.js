// Service worker: the app shell is cached at install (network first afterwards, so a new
// deploy shows up as soon as the network answers); bundled kernels and the catalogue's
// segments (immutable: their URLs name the archive's head) are cached the first time they
// are fetched and served from the cache after that; the catalogue's head goes network first,
// like the shell. Same-origin requests only.
// scripts/build-web.sh replaces BUILD with a hash of the built files.
const BUILD = "dev";
const SHELL_CACHE = `corelab-shell-${BUILD}`;
const KERNEL_CACHE = "corelab-kernels-v1";
const SHELL = [
  "./", "index.html", "boot.js", "style.css", "icon.svg",
  "app.js", "app_bg.wasm", "worker.js", "corelab.js", "corelab_bg.wasm",
];

self.addEventListener("install", (e) => {
  e.waitUntil(caches.open(SHELL_CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (e) => {
  e.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith("corelab-shell-") && key !== SHELL_CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

async function kernel(request) {
  const cache = await caches.open(KERNEL_CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const resp = await fetch(request);
  if (resp.ok) await cache.put(request, resp.clone());
  return resp;
}

async function shell(request) {
  const cache = await caches.open(SHELL_CACHE);
  try {
    const resp = await fetch(request);
    if (resp.ok) await cache.put(request, resp.clone());
    return resp;
  } catch (err) {
    // Offline: the page itself under any query string, or the cached file.
    const hit = await cache.match(request, { ignoreSearch: request.mode === "navigate" });
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener("fetch", (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== "GET" || url.origin !== self.location.origin) return;
  const inScope = url.pathname.startsWith(new URL("./", self.registration.scope).pathname);
  if (!inScope) return;
  const immutable = url.pathname.includes("/kernels/") || url.pathname.includes("/catalog/s/");
  e.respondWith(immutable ? kernel(e.request) : shell(e.request));
});
