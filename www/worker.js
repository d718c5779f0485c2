// The engine worker: loads the corelab wasm (the same module documentation authors use) and
// hands every message from the app to its `workerHandle`, which replies by postMessage.
import init, { workerHandle } from "./corelab.js";

// Messages that arrive while the wasm compiles wait here.
const early = [];
self.onmessage = (e) => early.push(e.data);

await init({ module_or_path: new URL("corelab_bg.wasm", import.meta.url) });

self.onmessage = (e) => workerHandle(e.data);
for (const m of early.splice(0)) workerHandle(m);
