// Browser timing: the wasm engine and the playground in Chromium against the native CLI on the
// same files in the same run, a cold first visit, and the shipped wasm sizes (gzip -9).
//
//   make bench-web      (builds dist/ and the release CLI first)
//   node scripts/bench-web.mjs [--runs 7] [--baseline DIR] [--only sweep] [--cores N]
//
// `--baseline DIR` also measures another build of the site (e.g. main's dist/, copied aside)
// in the same run, so before/after figures share the machine's load and the native figures.
//
// What is timed (medians):
// - load: gunzip 1.7 MB → parse 5.5 MB of BTF → summary. Native `corelab info FILE` (whole
//   process) against the JS API in the page (`parse(bytes).info()` on bytes already fetched;
//   the first call also compiles the wasm) and against the playground: a click on the
//   kernel's card to the summary painted.
// - header: load + the whole vmlinux.h. Native `corelab header FILE` (whole process, output
//   to /dev/null; and bpftool 7.1 on the unpacked blob when installed) against
//   `parse(bytes).header()` in the page, and against the playground's vmlinux.h tab (kernel
//   loaded): from the click to the first lines painted.
// - relocation: every CO-RE relocation of the 47 corpus objects (602 records) against the
//   6.18 kernel through the JS API (`reloc(obj, btf)`), kernel already parsed.
// - access: the Ask area's answer for a 5-record question (BPF_CORE_READ_BITFIELD_PROBED)
//   across the 4 bundled kernels, compiled against 6.1: from the Ask button's click to the
//   verdict painted, kernels already loaded; the worker's own time beside it. Native: `corelab
//   access --local 6.1 -t …` on the same 4 kernels (whole process, which also reads and
//   parses the 5 BTF files the page already holds).
// - kernel catalogue: one build (debian12-6.1.0-50-arm64) from the archive to parsed — the
//   catalogue picker's click to the summary painted, with the bytes of segments fetched (the
//   head already open) — against native `corelab catalog get` (whole process: read the
//   archive, rebuild, check sha256, write); and `where task_struct.__state` over every build
//   — the Where view's button to the runs painted, index shards fetched on the way (new
//   page each run: nothing cached in the engine) — against native `corelab catalog where`.
// - sweep: the Matrix of opensnoop (libbpf-tools, 53 CO-RE records) over every catalogue
//   build (`sel=all`: each build fetched, rebuilt, parsed, relocated and guarded in the
//   worker, then dropped) — from the Sweep click to the last column painted, with the
//   worker's rebuild / parse / relocate+guard sums and the time spent waiting for segments —
//   against native `corelab matrix OBJ @all` (whole process); and the Ask area's 5-record
//   question (below) compiled against 6.1 across every build the same way (its fix, when
//   there is one, checked in a second pass) against native `corelab access --local 6.1 -t
//   @all` (whole process). `--only sweep` runs these alone.
// - cold first visit: a new browser profile (empty HTTP cache, no service worker) opening
//   the site, to the kernel cards painted (usable), and opening a shared link to the 6.18
//   kernel, to its summary painted; with the bytes transferred.
//
// The app's figures are taken in the page: from the click event's time stamp to the frame
// that shows the result (a MutationObserver sees the element, then the next animation frame
// plus a task: the frame has been painted). The Playwright-side figure (from asking for the
// click to the element reported visible) is printed too: it adds Playwright's actionability
// checks and polling, about 40-80 ms that no person waits for.
//
// DESIGN.md budgets: wasm (gzip) < 600 KB; in Chromium, load and header ≤ 1.5× the native
// CLI; relocating a 600-relocation object under 50 ms; in the app, click → summary painted
// ≤ 2× native `corelab info`, vmlinux.h tab → first lines ≤ 1.5× native `corelab header`.

import { chromium } from "playwright-core";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const dist = resolve(arg("--dist", join(root, "dist")));
const baseline = arg("--baseline", null);
const runs = +arg("--runs", 7);
const only = arg("--only", null);
// `--cores N`: the page sees navigator.hardwareConcurrency N (a sweep runs on N engine
// workers, at most 4), whatever this machine has.
const cores = arg("--cores", null);
const KERNEL = "host-6.18.44-fc-v657-amd64";
const file = join(root, "tests/data/btf", `${KERNEL}.btf.gz`);
const cli = join(process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, "target"), "release/corelab");

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(0)} ms`;

// Native.
const wall = (cmd, args) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
const native = [];
for (let i = 0; i < runs; i++) native.push(wall(cli, ["info", file]));
const nativeHeader = [];
for (let i = 0; i < runs; i++) nativeHeader.push(wall(cli, ["header", file]));
// bpftool reads no gzip: it gets the unpacked blob.
const rawDir = mkdtempSync(join(tmpdir(), "corelab-bench-btf-"));
const raw = join(rawDir, `${KERNEL}.btf`);
writeFileSync(raw, gunzipSync(readFileSync(file)));
const bpftool = spawnSync("bpftool", ["version"]).status === 0 ? "bpftool" : null;
const CAT_BUILD = "debian12-6.1.0-50-arm64";
const catOut = join(rawDir, "catalog.btf");
const nativeCatGet = [];
for (let i = 0; i < runs; i++) nativeCatGet.push(wall(cli, ["catalog", "get", CAT_BUILD, "-o", catOut]));
const nativeCatWhere = [];
for (let i = 0; i < runs; i++) nativeCatWhere.push(wall(cli, ["catalog", "where", "task_struct.__state"]));
const bpftoolHeader = [];
if (bpftool) for (let i = 0; i < runs; i++) bpftoolHeader.push(wall(bpftool, ["btf", "dump", "file", raw, "format", "c"]));
rmSync(rawDir, { recursive: true, force: true });

// The Ask area's 5-record question, natively against the same kernels.
const K61 = "debian12-6.1.0-50-amd64";
const ASK_KERNELS = ["debian11-5.10.0-46-amd64", K61, "debian13-6.12.107-s390x", KERNEL];
const ASK = "struct sk_buff *skb; BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type)";
const btfPath = (k) => join(root, "tests/data/btf", `${k}.btf.gz`);
const nativeAsk = [];
for (let i = 0; i < runs; i++) {
  nativeAsk.push(wall(cli, ["access", "--local", btfPath(K61), ...ASK_KERNELS.flatMap((k) => ["-t", btfPath(k)]), ASK]));
}

// The corpus objects, sent into the page as base64.
const objDir = join(root, "tests/data/oracle/obj");
const objects = readdirSync(objDir).filter((f) => f.endsWith(".o.gz")).sort()
  .map((f) => ({ name: f.replace(/\.gz$/, ""), b64: gunzipSync(readFileSync(join(objDir, f))).toString("base64") }));

async function serve(dir) {
  // Its stderr is dropped: a browser closed mid-transfer makes it print a broken pipe.
  const srv = spawn("python3", [join(root, "scripts/serve.py"), "--dir", dir, "--port", "0"], { stdio: ["ignore", "pipe", "ignore"] });
  const base = await new Promise((res) => srv.stdout.on("data", (d) => {
    const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(d.toString());
    if (m) res(m[0]);
  }));
  return { srv, base };
}

const launch = (profile) => chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1280, height: 800 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

// In every page: the time stamps of clicks, and a promise of the first painted frame that
// shows an element matching a selector.
const probe = () => {
  window.__clicks = [];
  document.addEventListener("click", (e) => window.__clicks.push(e.timeStamp), true);
  window.__painted = (sel) => new Promise((res) => {
    const done = () => requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => res(performance.now());
      ch.port2.postMessage(0);
    });
    if (document.querySelector(sel)) return done();
    const mo = new MutationObserver(() => {
      if (document.querySelector(sel)) {
        mo.disconnect();
        done();
      }
    });
    // Attributes too: a sweep's last answer may only flip `data-finished` (its column
    // joining a run of identical neighbours inserts no element).
    mo.observe(document, { subtree: true, childList: true, attributes: true });
  });
};

// Clicks `target` and waits for `shown`: [in the page, click event → frame painted; outside,
// Playwright's click → element visible].
async function timedClick(page, target, shown) {
  await page.evaluate((sel) => { window.__until = window.__painted(sel); }, shown);
  const t0 = Date.now();
  await page.locator(target).click();
  await page.locator(shown).first().waitFor({ timeout: 60_000 });
  const outside = Date.now() - t0;
  const painted = await page.evaluate(() => window.__until);
  const clicked = await page.evaluate(() => window.__clicks.at(-1));
  return [painted - clicked, outside];
}

// The playground's figures for the site served at `base`.
async function measureApp(base) {
  const profile = mkdtempSync(join(tmpdir(), "corelab-bench-"));
  const ctx = await launch(profile);
  await ctx.addInitScript(probe);
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const card = `.kernel-card[data-kernel="${KERNEL}"]`;
  const load = [];
  const loadOutside = [];
  const phases = [];
  for (let i = 0; i < Math.min(runs, 5); i++) {
    await page.goto(`${base}?nosw`);
    await page.locator(card).waitFor();
    // The engine worker is up (as it is a moment after the page shows): a click's time is
    // the kernel's, not the worker's start.
    await page.waitForTimeout(300);
    const [inside, outside] = await timedClick(page, card, "#summary");
    load.push(inside);
    loadOutside.push(outside);
    const timing = await page.locator("#timing").innerText();
    const m = /loaded in (\d+) ms .*fetch (\d+), parse (\d+)/.exec(timing);
    phases.push(m.slice(1).map(Number));
  }
  const header = [];
  const headerOutside = [];
  const headerFirst = [];
  const headerWhole = [];
  for (let i = 0; i < Math.min(runs, 5); i++) {
    await page.goto(`${base}?nosw&kernel=${KERNEL}`);
    await page.locator("#summary").waitFor({ timeout: 60_000 });
    await page.waitForTimeout(300);
    const [inside, outside] = await timedClick(page, 'button.tab[data-view="header"]', "#header-view .vrow");
    header.push(inside);
    headerOutside.push(outside);
    // The worker's share: the first screen (when it came before the whole), the whole.
    const first = await page.locator("#header-partial").allInnerTexts();
    const stats = await page.locator("#header-stats").innerText({ timeout: 60_000 });
    const ms = (t) => Number(/generated in (\d+) ms/.exec(t)?.[1] ?? NaN);
    if (first.length) headerFirst.push(ms(first[0]));
    headerWhole.push(ms(stats));
  }
  // Ask: the first answer loads the bundled kernels; then each run asks the question anew
  // (a trailing space more each time: a new key, the same records).
  const ask = [];
  const askEngine = [];
  await page.goto(`${base}?nosw&kernel=${K61}&area=ask&q=${encodeURIComponent(ASK)}`);
  await page.locator("#ask-verdict").waitFor({ timeout: 120_000 });
  for (let i = 1; i <= runs; i++) {
    const q = ASK + " ".repeat(i);
    await page.locator("#ask-input").fill(q);
    const [inside] = await timedClick(page, "#ask-go", `#ask-across[data-q="${q}"] #ask-verdict`);
    ask.push(inside);
    const done = await page.locator("#ask-across").innerText();
    askEngine.push(Number(/answered in ([\d.]+) ms/.exec(done)?.[1] ?? NaN));
  }
  // The kernel catalogue: a build picked, and a where-question (each on a fresh page).
  const catLoad = [];
  const catBytes = [];
  const catWhere = [];
  for (let i = 0; i < Math.min(runs, 5); i++) {
    await page.goto(`${base}?nosw`);
    await page.locator("#catalog-open").click();
    await page.locator("#catalog-search").fill(CAT_BUILD);
    const pick = `.catalog-build[data-build="${CAT_BUILD}"]`;
    await page.locator(pick).waitFor();
    await page.waitForTimeout(300);
    const before = await page.evaluate(() => performance.getEntriesByType("resource").length);
    const [inside] = await timedClick(page, pick, "#summary");
    catLoad.push(inside);
    catBytes.push(await page.evaluate((n) => performance.getEntriesByType("resource").slice(n)
      .filter((e) => e.name.includes("/catalog/s/")).reduce((a, e) => a + (e.encodedBodySize || 0), 0), before));
    await page.goto(`${base}?nosw&view=where`);
    await page.locator("#where-path").waitFor();
    await page.locator("#where-path").fill("task_struct.__state");
    await page.waitForTimeout(300);
    const [w] = await timedClick(page, "#where-ask", "#where-summary");
    catWhere.push(w);
  }
  await ctx.close();
  rmSync(profile, { recursive: true, force: true });

  // Cold: a new profile per visit (empty cache; the service worker is not active on a
  // first visit anyway).
  const cold = [];
  const coldLink = [];
  for (let i = 0; i < 3; i++) {
    for (const [url, sel, out] of [[base, ".kernel-card", cold], [`${base}?kernel=${KERNEL}`, "#summary", coldLink]]) {
      const p = mkdtempSync(join(tmpdir(), "corelab-bench-cold-"));
      const c = await launch(p);
      await c.addInitScript(probe);
      await c.addInitScript((sel) => { window.__first = window.__painted(sel); }, sel);
      const pg = c.pages()[0] ?? (await c.newPage());
      await pg.goto(url);
      const ms = await pg.evaluate(() => window.__first);
      const bytes = await pg.evaluate(() => performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource"))
        .reduce((a, e) => a + (e.transferSize || 0), 0));
      // The worker's own fetches (the engine wasm) are in the worker's timeline, not the page's.
      out.push([ms, bytes]);
      await c.close();
      rmSync(p, { recursive: true, force: true });
    }
  }
  const phase = (i) => median(phases.map((p) => p[i]));
  return {
    load: median(load), loadOutside: median(loadOutside), loadState: phase(0), fetch: phase(1), parse: phase(2),
    header: median(header), headerOutside: median(headerOutside),
    headerFirst: headerFirst.length ? median(headerFirst) : null, headerWhole: median(headerWhole),
    cold: median(cold.map((c) => c[0])), coldBytes: median(cold.map((c) => c[1])),
    coldLink: median(coldLink.map((c) => c[0])),
    ask: median(ask), askEngine: median(askEngine),
    catLoad: median(catLoad), catBytes: median(catBytes), catWhere: median(catWhere),
  };
}

// The Matrix over a catalogue selection, native and in the page.
const SWEEP_OBJ = join(root, "tests/data/oracle/obj/opensnoop.o.gz");
const SWEEP_SEL = "all";
const sweepRuns = Math.min(runs, 3);
const nativeSweep = [];
for (let i = 0; i < sweepRuns; i++) nativeSweep.push(wall(cli, ["matrix", SWEEP_OBJ, `@${SWEEP_SEL}`]));
const nativeAskSweep = [];
for (let i = 0; i < sweepRuns; i++) {
  nativeAskSweep.push(wall(cli, ["access", "--local", btfPath(K61), "-t", `@${SWEEP_SEL}`, ASK]));
}

async function measureSweep(base) {
  const profile = mkdtempSync(join(tmpdir(), "corelab-bench-sweep-"));
  const ctx = await launch(profile);
  await ctx.addInitScript(probe);
  if (cores) {
    await ctx.addInitScript((n) => Object.defineProperty(navigator, "hardwareConcurrency", { get: () => n }), +cores);
  }
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const out = [];
  for (let i = 0; i < sweepRuns; i++) {
    // A fresh page each run: the engine keeps no references from the run before (the HTTP
    // cache does keep the segments after the first run: its fetches are the cold ones).
    await page.goto(`${base}?nosw&view=matrix`);
    await page.locator("#object-file").setInputFiles(SWEEP_OBJ);
    await page.locator("#matrix-programs").waitFor({ timeout: 120_000 });
    await page.locator("#sweep-selection").fill(`@${SWEEP_SEL}`);
    await page.waitForTimeout(300);
    const [inside] = await timedClick(page, "#sweep-go", '#sweep-progress[data-finished="true"]');
    const d = await page.locator("#sweep-progress").evaluate((e) => ({ ...e.dataset }));
    const workers = page.workers().length;
    const hc = await page.evaluate(() => navigator.hardwareConcurrency);
    out.push({ click: inside, workers, hc, ...Object.fromEntries(Object.entries(d).map(([k, v]) => [k, +v])) });
  }
  const asks = [];
  for (let i = 0; i < sweepRuns; i++) {
    await page.goto(`${base}?nosw&kernel=${K61}&area=ask&q=${encodeURIComponent(ASK)}`);
    await page.locator("#ask-verdict").waitFor({ timeout: 120_000 });
    await page.locator("#sweep-selection").fill(`@${SWEEP_SEL}`);
    await page.waitForTimeout(300);
    const [inside] = await timedClick(page, "#sweep-go", '#sweep-progress[data-finished="true"]');
    const d = await page.locator("#sweep-progress").evaluate((e) => ({ ...e.dataset }));
    const verdict = await page.locator("#ask-verdict").innerText();
    asks.push({ click: inside, verdict, ...Object.fromEntries(Object.entries(d).map(([k, v]) => [k, +v])) });
  }
  await ctx.close();
  rmSync(profile, { recursive: true, force: true });
  const med = (k, xs = out) => median(xs.map((o) => o[k]));
  const summary = (xs) => ({ click: med("click", xs), wall: med("wall", xs), rebuild: med("rebuild", xs), parse: med("parse", xs),
    work: med("work", xs), stall: med("stall", xs), bytes: med("bytes", xs), total: xs[0].total, first: xs[0].click,
    workers: xs[0].workers, hc: xs[0].hc });
  return { ...summary(out), ask: { ...summary(asks), verdict: asks[0].verdict } };
}

function printSweep(sw, before) {
  const ns = median(nativeSweep);
  console.log(`matrix of opensnoop.o (53 CO-RE records) over @${SWEEP_SEL} (${sw.total} catalogue builds), ${sweepRuns} runs:`);
  console.log(`  native  corelab matrix OBJ @${SWEEP_SEL} (whole process)   ${fmt(ns)}   (${(ns / sw.total).toFixed(1)} ms per build)`);
  console.log(`  app     Sweep click → last column painted      ${fmt(sw.click)}   = ${(sw.click / ns).toFixed(2)}× native (goal 3 s)${before ? `   (before: ${fmt(before.click)})` : ""}`);
  console.log(`            first run (segments not in the HTTP cache): ${fmt(sw.first)}; ${sw.workers} engine worker(s), hardwareConcurrency ${sw.hc}`);
  console.log(`            workers (summed): rebuild ${fmt(sw.rebuild)}, parse ${fmt(sw.parse)}, relocate+guard ${fmt(sw.work)}; waiting for segments ${fmt(sw.stall)}; ${(sw.bytes / 1e6).toFixed(1)} MB of segments`);
  console.log(`            per build: rebuild ${(sw.rebuild / sw.total).toFixed(1)} ms, parse ${(sw.parse / sw.total).toFixed(1)} ms, relocate+guard ${(sw.work / sw.total).toFixed(1)} ms${before ? `   (before: rebuild ${(before.rebuild / before.total).toFixed(1)} ms, parse ${(before.parse / before.total).toFixed(1)} ms)` : ""}`);
  const na = median(nativeAskSweep);
  const a = sw.ask;
  console.log(`access: ${ASK} against 6.1's types, across @${SWEEP_SEL} (${a.total} builds):`);
  console.log(`  native  corelab access --local 6.1 -t @${SWEEP_SEL} (whole process)   ${fmt(na)}   (${(na / a.total).toFixed(1)} ms per build)`);
  console.log(`  app     Sweep click → verdict and fix painted   ${fmt(a.click)}   = ${(a.click / na).toFixed(2)}× native; ${fmt(a.click * 100 / a.total)} per 100 builds (goal 200 ms)${before ? `   (before: ${fmt(before.ask.click)})` : ""}`);
  console.log(`            first run: ${fmt(a.first)}; verdict: ${a.verdict.replace(/\s+/g, " ").slice(0, 120)}`);
  console.log(`            worker: rebuild ${fmt(a.rebuild)}, parse ${fmt(a.parse)}, asking ${fmt(a.work)} (every pass); waiting for segments ${fmt(a.stall)}${before ? `   (before: rebuild ${fmt(before.ask.rebuild)}, parse ${fmt(before.ask.parse)}, asking ${fmt(before.ask.work)})` : ""}`);
}

if (only === "sweep") {
  const site = await serve(dist);
  const sw = await measureSweep(site.base);
  site.srv.kill();
  let before = null;
  if (baseline) {
    const b = await serve(resolve(baseline));
    before = await measureSweep(b.base);
    b.srv.kill();
  }
  printSweep(sw, before);
  process.exit(0);
}

// The JS API (the engine alone), on the site under test.
const site = await serve(dist);
const profile = mkdtempSync(join(tmpdir(), "corelab-bench-"));
const ctx = await launch(profile);
const page = ctx.pages()[0] ?? (await ctx.newPage());
await page.goto(`${site.base}?nosw`);
const engine = await page.evaluate(async ({ url, runs, objects }) => {
  const mod = await import("./corelab.js");
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const times = [];
  let t0 = performance.now();
  await mod.default({ module_or_path: new URL("corelab_bg.wasm", location.href) });
  const compile = performance.now() - t0;
  for (let i = 0; i <= runs; i++) {
    t0 = performance.now();
    const btf = mod.parse(bytes, "bench");
    const info = btf.info();
    times.push(performance.now() - t0);
    btf.free();
    if (info.types < 100000) throw new Error("wrong kernel");
  }
  const header = [];
  let headerBytes = 0;
  for (let i = 0; i <= runs; i++) {
    t0 = performance.now();
    const btf = mod.parse(bytes, "bench");
    const h = btf.header();
    header.push(performance.now() - t0);
    headerBytes = h.length;
    btf.free();
  }
  const btf = mod.parse(bytes, "bench");
  const objs = objects.map((o) => mod.BpfObject.parse(Uint8Array.from(atob(o.b64), (c) => c.charCodeAt(0)), o.name));
  const reloc = [];
  let records = 0;
  for (let i = 0; i <= runs; i++) {
    records = 0;
    t0 = performance.now();
    for (const o of objs) records += mod.reloc(o, btf).rows.length;
    reloc.push(performance.now() - t0);
  }
  return { compile, first: times[0], rest: times.slice(1), header: header.slice(1), headerBytes, reloc: reloc.slice(1), records };
}, { url: `kernels/${KERNEL}.btf.gz`, runs, objects });
await ctx.close();
rmSync(profile, { recursive: true, force: true });

const app = await measureApp(site.base);
const sweep = await measureSweep(site.base);
site.srv.kill();
let before = null;
if (baseline) {
  const b = await serve(resolve(baseline));
  before = await measureApp(b.base);
  b.srv.kill();
}

// Sizes of what a visitor downloads (the site is served compressed by Netlify's CDN).
const sizes = ["app_bg.wasm", "corelab_bg.wasm", "app.js", "corelab.js"].map((f) => {
  const raw = readFileSync(join(dist, f));
  return { f, raw: statSync(join(dist, f)).size, gz: gzipSync(raw, { level: 9 }).length };
});
const wasmGz = sizes.filter((s) => s.f.endsWith(".wasm")).reduce((a, s) => a + s.gz, 0);

const nat = median(native);
const nh = median(nativeHeader);
const eng = median(engine.rest);
const wh = median(engine.header);
const was = (f, ratioOf) => (before ? `   (before: ${fmt(before[f])}${ratioOf ? ` = ${(before[f] / ratioOf).toFixed(2)}×` : ""})` : "");
console.log(`6.18 kernel BTF (${KERNEL}.btf.gz, ${(statSync(file).size / 1e6).toFixed(2)} MB gzip), ${runs} runs, medians:`);
console.log(`  native  corelab info (whole process)          ${fmt(nat)}`);
console.log(`  wasm    parse+info, first call                ${fmt(engine.first)}   (wasm compile before it: ${fmt(engine.compile)})`);
console.log(`  wasm    parse+info, warm                      ${fmt(eng)}   = ${(eng / nat).toFixed(2)}× native`);
console.log(`  app     click → summary painted               ${fmt(app.load)}   = ${(app.load / nat).toFixed(2)}× native (budget 2×)${was("load", nat)}`);
console.log(`            in the app: ${fmt(app.loadState)} to the state update: fetch ${fmt(app.fetch)}, parse ${fmt(app.parse)} (worker)`);
console.log(`            seen from Playwright (click call → visible): ${fmt(app.loadOutside)}${was("loadOutside")}`);
console.log(`vmlinux.h of the 6.18 kernel (${(engine.headerBytes / 1e6).toFixed(1)} MB), load included:`);
if (bpftool) console.log(`  native  bpftool 7.1 btf dump format c (raw)   ${fmt(median(bpftoolHeader))}`);
console.log(`  native  corelab header (whole process)        ${fmt(nh)}${bpftool ? `   = ${(nh / median(bpftoolHeader)).toFixed(2)}× bpftool` : ""}`);
console.log(`  wasm    parse + header, warm                  ${fmt(wh)}   = ${(wh / nh).toFixed(2)}× native corelab (budget 1.5×)`);
console.log(`  app     header tab → first lines painted      ${fmt(app.header)}   = ${(app.header / nh).toFixed(2)}× native corelab (budget 1.5×)${was("header", nh)}`);
console.log(`            in the worker: ${app.headerFirst !== null ? `first screen ${fmt(app.headerFirst)}, ` : ""}whole header ${fmt(app.headerWhole)} (with its links and anchors)`);
console.log(`            seen from Playwright (click call → visible): ${fmt(app.headerOutside)}${was("headerOutside")}`);
const rl = median(engine.reloc);
console.log(`CO-RE relocation, ${objects.length} corpus objects (${engine.records} records) against 6.18, kernel parsed:`);
console.log(`  wasm    reloc() of every object               ${rl.toFixed(1)} ms   (${(rl * 1000 / engine.records).toFixed(1)} µs per record; budget 50 ms for 600)`);
const na = median(nativeAsk);
console.log(`access: a 5-record question (${ASK}) across the 4 bundled kernels, compiled against 6.1:`);
console.log(`  native  corelab access (whole process, reads and parses 5 BTF files) ${fmt(na)}`);
console.log(`  app     Ask click → verdict painted, kernels loaded        ${fmt(app.ask)}   = ${(app.ask / na).toFixed(2)}× native${was("ask", na)}`);
console.log(`            in the worker: ${app.askEngine.toFixed(1)} ms (records, 4 kernels, verdict, fix checked)`);
const cg = median(nativeCatGet);
const cw = median(nativeCatWhere);
console.log(`kernel catalogue (catalog/debian.btfcat, ${(statSync(join(root, "catalog/debian.btfcat")).size / 1048576).toFixed(1)} MiB):`);
console.log(`  native  corelab catalog get ${CAT_BUILD} ${fmt(cg)}`);
console.log(`  app     pick → summary painted (head open)    ${fmt(app.catLoad)}   = ${(app.catLoad / cg).toFixed(2)}× native (goal 400 ms), ${(app.catBytes / 1e6).toFixed(2)} MB of segments (goal ≤ 2 MB)${was("catLoad", cg)}`);
console.log(`  native  corelab catalog where task_struct.__state  ${fmt(cw)}`);
console.log(`  app     Where? → runs painted (shards fetched) ${fmt(app.catWhere)}   = ${(app.catWhere / cw).toFixed(2)}× native (goal 1 s)${was("catWhere", cw)}`);
printSweep(sweep, null);
console.log("cold first visit (new profile: empty cache, no service worker), localhost:");
console.log(`  app     site → kernel cards painted (usable)  ${fmt(app.cold)}   (${(app.coldBytes / 1024).toFixed(0)} KiB transferred by the page; the engine's wasm loads in its worker alongside)${was("cold")}`);
console.log(`  app     shared 6.18 link → summary painted    ${fmt(app.coldLink)}${was("coldLink")}`);
console.log("shipped (gzip -9):");
for (const s of sizes) console.log(`  ${s.f.padEnd(18)} ${String(s.raw).padStart(9)} B  ${String(s.gz).padStart(8)} B gzip`);
console.log(`  wasm total gzip    ${(wasmGz / 1024).toFixed(0)} KiB (budget 585 KiB: ${wasmGz <= 585 * 1024 ? "within" : "OVER"})`);
