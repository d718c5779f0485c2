// Browser timing: loading + parsing the 6.18 kernel BTF in Chromium (wasm) against the
// native CLI on the same file in the same run, and the shipped wasm sizes (gzip -9).
//
//   make bench-web      (builds dist/ and the release CLI first)
//   node scripts/bench-web.mjs [--runs 7]
//
// Three figures for the same work (gunzip 1.7 MB → parse 5.5 MB of BTF → summary):
// - native:  `corelab info FILE`, wall time of the whole process (median of runs);
// - engine:  the JS API in the page (`parse(bytes).info()` on bytes already fetched),
//            the first call (includes compiling the wasm) and the median of the next;
// - app:     the playground from a click on the kernel to the summary painted (fetch from
//            localhost, transfer to the worker, parse, type index, render), median.
// DESIGN.md budgets: wasm (gzip) < 600 KB; in Chromium, load ≤ 1.5× the native CLI.

import { chromium } from "playwright-core";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

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
const engine = await page.evaluate(async ({ url, runs }) => {
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
  return { compile, first: times[0], rest: times.slice(1) };
}, { url: `kernels/${KERNEL}.btf.gz`, runs });

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
console.log("shipped (gzip -9):");
for (const s of sizes) console.log(`  ${s.f.padEnd(18)} ${String(s.raw).padStart(9)} B  ${String(s.gz).padStart(8)} B gzip`);
console.log(`  wasm total gzip    ${(wasmGz / 1024).toFixed(0)} KiB (budget 600 KB: ${wasmGz < 600_000 ? "within" : "OVER"})`);
