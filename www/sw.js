// Service worker: the app shell is cached at install (network first afterwards, so a new
// deploy shows up as soon as the network answers); bundled kernels and the catalogue's
// segments (immutable: their URLs name the archive's head) are cached the first time they
// are fetched and served from the cache after that; the catalogue's head goes network first,
// like the shell. Same-origin requests only.
// scripts/build-web.sh replaces BUILD with a hash of the built files, CATALOG with the version
// of this build's catalogue (the directory its segments are served from) and KERNELS with
// the bundled kernels' file names.
const BUILD = "dev";
const CATALOG = "dev";
const KERNELS = [];
// The shell cache is named by this worker's scope too: another deployment under another
// sub-path of the same origin (a documentation site's /v1/ and /v2/) keeps its own, and a new
// build here replaces only this scope's.
const SCOPE = new URL("./", self.registration.scope).pathname;
const SHELL_PREFIX = `corelab-shell-${SCOPE}-`;
const SHELL_CACHE = `${SHELL_PREFIX}${BUILD}`;
// Before shell caches were named by scope: `corelab-shell-<build>`, whichever deployment
// made them. Dropped once, by the first worker of any scope that activates.
const UNSCOPED_SHELL = /^corelab-shell-(?:dev|[0-9a-f]{12})$/;
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
      const ours = key.startsWith(SHELL_PREFIX) && key !== SHELL_CACHE;
      if (ours || UNSCOPED_SHELL.test(key)) await caches.delete(key);
    }
    await pruneKernels();
    await self.clients.claim();
  })());
});

// Kernels and segments are cached forever, so what this build no longer serves leaves the
// cache when it activates: segments of another catalogue version (a re-packed archive gets a
// new directory; a sweep over every build caches ~20 MB of them) and bundled kernels it no
// longer bundles. Only this worker's own paths: another deployment under a sub-path of the
// same origin shares the cache.
async function pruneKernels() {
  if (CATALOG === "dev") return; // not a built site: nothing to compare with
  const scope = new URL("./", self.registration.scope).pathname;
  const cache = await caches.open(KERNEL_CACHE);
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (!path.startsWith(scope)) continue;
    const own = path.slice(scope.length);
    const segment = /^catalog\/s\/([^/]+)\//.exec(own);
    const bundled = /^kernels\/([^/]+)$/.exec(own);
    const stale = segment ? segment[1] !== CATALOG : bundled ? !KERNELS.includes(bundled[1]) : false;
    if (stale) await cache.delete(request);
  }
}

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
