// Starts the app. A file, not an inline script, so the Content-Security-Policy needs no
// 'unsafe-inline'. The service worker makes the site work offline after the first visit.
import init from "./app.js";

await init({ module_or_path: new URL("app_bg.wasm", import.meta.url) });

if ("serviceWorker" in navigator && !new URLSearchParams(location.search).has("nosw")) {
  navigator.serviceWorker.register("./sw.js").catch((e) => console.warn("service worker:", e));
}
