// Browser timing: loading + parsing the 6.18 kernel BTF in Chromium (wasm) against the
// native CLI on the same file in the same run, and the shipped wasm sizes (gzip -9).
//
//   make bench-web      (builds dist/ and the release CLI first)
//   node scripts/bench-web.mjs [--runs 7]
//
// Figures for the same work in the same run (medians):
// - load: gunzip 1.7 MB → parse 5.5 MB of BTF → summary. Native `corelab info FILE` (whole
//   process) against the JS API in the page (`parse(bytes).info()` on bytes already
//   fetched; the first call also compiles the wasm) and against the playground from a click
//   on the kernel to the summary painted (fetch, transfer to the worker, parse, type index).
// - header: load + the whole vmlinux.h. Native `corelab header FILE` (whole process, output
//   to /dev/null; and bpftool 7.1 on the unpacked blob when installed) against
//   `parse(bytes).header()` in the page, and against the playground's vmlinux.h tab (kernel
//   loaded; from the click to the first lines painted, with the worker's share: the header
//   with its links and anchors, the first generation in a fresh worker).
// - relocation: every CO-RE relocation of the 47 corpus objects (602 records) against the
//   6.18 kernel through the JS API (`reloc(obj, btf)`), kernel already parsed.
// DESIGN.md budgets: wasm (gzip) < 600 KB; in Chromium, load and header ≤ 1.5× the native
// CLI; relocating a 600-relocation object under 50 ms.

import { chromium } from "playwright-core";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const runs = process.argv.includes("--runs") ? +process.argv[process.argv.indexOf("--runs") + 1] : 7;
const KERNEL = "host-6.18.44-fc-v657-amd64";
const file = join(root, "tests/data/btf", `${KERNEL}.btf.gz`);
const cli = join(root, "target/release/corelab");

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(0)} ms`;

// Native.
const native = [];
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cli, ["info", file], { stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error(`corelab info exited ${r.status}`);
  native.push(Number(process.hrtime.bigint() - t0) / 1e6);
}

// Native header, and bpftool's on the unpacked blob (bpftool reads no gzip).
const wall = (cmd, args) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
const nativeHeader = [];
for (let i = 0; i < runs; i++) nativeHeader.push(wall(cli, ["header", file]));
const rawDir = mkdtempSync(join(tmpdir(), "corelab-bench-btf-"));
const raw = join(rawDir, `${KERNEL}.btf`);
writeFileSync(raw, gunzipSync(readFileSync(file)));
const bpftool = spawnSync("bpftool", ["version"]).status === 0 ? "bpftool" : null;
const bpftoolHeader = [];
if (bpftool) for (let i = 0; i < runs; i++) bpftoolHeader.push(wall(bpftool, ["btf", "dump", "file", raw, "format", "c"]));
rmSync(rawDir, { recursive: true, force: true });

// The corpus objects, sent into the page as base64.
const objDir = join(root, "tests/data/oracle/obj");
const objects = readdirSync(objDir).filter((f) => f.endsWith(".o.gz")).sort()
  .map((f) => ({ name: f.replace(/\.gz$/, ""), b64: gunzipSync(readFileSync(join(objDir, f))).toString("base64") }));

// Browser.
const srv = spawn("python3", [join(root, "scripts/serve.py"), "--dir", dist, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
const base = await new Promise((res) => srv.stdout.on("data", (d) => {
  const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(d.toString());
  if (m) res(m[0]);
}));
const profile = mkdtempSync(join(tmpdir(), "corelab-bench-"));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1280, height: 800 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = ctx.pages()[0] ?? (await ctx.newPage());

await page.goto(`${base}?nosw`);
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

const app = [];
const phases = [];
for (let i = 0; i < Math.min(runs, 5); i++) {
  await page.goto(`${base}?nosw`);
  await page.locator(`.kernel-card[data-kernel="${KERNEL}"]`).waitFor();
  const t0 = Date.now();
  await page.locator(`.kernel-card[data-kernel="${KERNEL}"]`).click();
  await page.locator("#summary").waitFor({ timeout: 60_000 });
  app.push(Date.now() - t0);
  const timing = await page.locator("#timing").innerText();
  const m = /loaded in (\d+) ms .*fetch (\d+), parse (\d+), index (\d+) ms/.exec(timing);
  phases.push(m.slice(1).map(Number));
}
// The app's header view: kernel loaded, from the tab's click to the first rendered lines, and
// the worker's share (its "generated in" figure: the header and its link index).
const appHeader = [];
const appHeaderWorker = [];
for (let i = 0; i < Math.min(runs, 5); i++) {
  await page.goto(`${base}?nosw&kernel=${KERNEL}`);
  await page.locator("#summary").waitFor({ timeout: 60_000 });
  const t0 = Date.now();
  await page.locator('button.tab[data-view="header"]').click();
  await page.locator("#header-view .vrow").first().waitFor({ timeout: 60_000 });
  appHeader.push(Date.now() - t0);
  const stats = await page.locator("#header-stats").innerText();
  appHeaderWorker.push(Number(/generated in (\d+) ms/.exec(stats)[1]));
}
await ctx.close();
srv.kill();
rmSync(profile, { recursive: true, force: true });

// Sizes of what a visitor downloads (the site is served compressed by Netlify's CDN).
const sizes = ["app_bg.wasm", "corelab_bg.wasm", "app.js", "corelab.js"].map((f) => {
  const raw = readFileSync(join(dist, f));
  return { f, raw: statSync(join(dist, f)).size, gz: gzipSync(raw, { level: 9 }).length };
});
const wasmGz = sizes.filter((s) => s.f.endsWith(".wasm")).reduce((a, s) => a + s.gz, 0);

const nat = median(native);
const eng = median(engine.rest);
console.log(`6.18 kernel BTF (${KERNEL}.btf.gz, ${(statSync(file).size / 1e6).toFixed(2)} MB gzip), ${runs} runs, medians:`);
console.log(`  native  corelab info (whole process)          ${fmt(nat)}`);
console.log(`  wasm    parse+info, first call                ${fmt(engine.first)}   (wasm compile before it: ${fmt(engine.compile)})`);
console.log(`  wasm    parse+info, warm                      ${fmt(eng)}   = ${(eng / nat).toFixed(2)}× native`);
const phase = (i) => median(phases.map((p) => p[i]));
console.log(`  app     click → summary painted               ${fmt(median(app))}   = ${(median(app) / nat).toFixed(2)}× native`);
console.log(`            in the app: ${fmt(phase(0))} to the state update: fetch ${fmt(phase(1))}, parse ${fmt(phase(2))}, type index ${fmt(phase(3))} (worker)`);
const nh = median(nativeHeader);
const wh = median(engine.header);
console.log(`vmlinux.h of the 6.18 kernel (${(engine.headerBytes / 1e6).toFixed(1)} MB), load included:`);
if (bpftool) console.log(`  native  bpftool 7.1 btf dump format c (raw)   ${fmt(median(bpftoolHeader))}`);
console.log(`  native  corelab header (whole process)        ${fmt(nh)}${bpftool ? `   = ${(nh / median(bpftoolHeader)).toFixed(2)}× bpftool` : ""}`);
console.log(`  wasm    parse + header, warm                  ${fmt(wh)}   = ${(wh / nh).toFixed(2)}× native corelab (budget 1.5×)`);
console.log(`  app     header tab → first lines painted      ${fmt(median(appHeader))}   = ${(median(appHeader) / nh).toFixed(2)}× native corelab (kernel already loaded)`);
console.log(`            in the worker: ${fmt(median(appHeaderWorker))} (header with its links and anchors)`);
const rl = median(engine.reloc);
console.log(`CO-RE relocation, ${objects.length} corpus objects (${engine.records} records) against 6.18, kernel parsed:`);
console.log(`  wasm    reloc() of every object               ${rl.toFixed(1)} ms   (${(rl * 1000 / engine.records).toFixed(1)} µs per record; budget 50 ms for 600)`);
console.log("shipped (gzip -9):");
for (const s of sizes) console.log(`  ${s.f.padEnd(18)} ${String(s.raw).padStart(9)} B  ${String(s.gz).padStart(8)} B gzip`);
console.log(`  wasm total gzip    ${(wasmGz / 1024).toFixed(0)} KiB (budget 600 KB: ${wasmGz < 600_000 ? "within" : "OVER"})`);
