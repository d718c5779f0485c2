// Starts the app. A file, not an inline script, so the Content-Security-Policy needs no
// 'unsafe-inline'. The service worker makes the site work offline after the first visit.
import init from "./app.js";

try {
  await init({ module_or_path: new URL("app_bg.wasm", import.meta.url) });
} catch (e) {
  // A browser that cannot compile the app (no WebAssembly SIMD, or a damaged download)
  // would otherwise show an empty page.
  const p = document.createElement("p");
  p.className = "noscript";
  p.id = "boot-error";
  p.textContent = `corelab could not start in this browser: ${e?.message ?? e}. It needs WebAssembly with SIMD: Chrome or Edge 91+, Firefox 89+, Safari 16.4+.`;
  document.body.append(p);
  throw e;
}

if ("serviceWorker" in navigator && !new URLSearchParams(location.search).has("nosw")) {
  navigator.serviceWorker.register("./sw.js").catch((e) => console.warn("service worker:", e));
}
