// End-to-end tests of the playground in Debian's Chromium, driven by playwright-core.
//
//   node tests/e2e/e2e.mjs [--dist dist] [--only REGEX]   (--only: the tests whose name matches)
//
// Serves dist/ with scripts/serve.py (which applies the production `_headers`, CSP
// included), then walks through the Kernel area as a user would. Screenshots of every area
// go to tests/e2e/out/. Every request must stay on the local server, and no Content
// Security Policy violation may happen. Prints `N passed, N failed` and exits non-zero on
// any failure.

import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const dist = resolve(root, process.argv.includes("--dist") ? process.argv[process.argv.indexOf("--dist") + 1] : "dist");
const out = join(root, "tests/e2e/out");
const K61 = "debian12-6.1.0-50-amd64";
const UPLOAD = join(root, "tests/data/btf/debian13-6.12.107-s390x.btf.gz");
const TIMEOUT = 30_000;
const only = process.argv.includes("--only") ? new RegExp(process.argv[process.argv.indexOf("--only") + 1]) : null;

rmSync(out, { recursive: true, force: true }); // no stale screenshots of an earlier run
mkdirSync(out, { recursive: true });

function startServer() {
  const srv = spawn("python3", [join(root, "scripts/serve.py"), "--dir", dist, "--port", "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const base = new Promise((res, rej) => {
    srv.stdout.on("data", (d) => {
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(d.toString());
      if (m) res(m[0]);
    });
    srv.on("exit", (code) => rej(new Error(`serve.py exited with ${code}`)));
  });
  return { srv, base };
}

const { srv, base: basePromise } = startServer();
const base = await basePromise;
const origin = new URL(base).origin;
const profile = mkdtempSync(join(tmpdir(), "corelab-e2e-"));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1280, height: 800 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

// Every request any page, worker or service worker makes.
const requests = [];
const problems = [];
const watch = (page) => {
  page.on("request", (r) => requests.push(r.url()));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" || /Content Security Policy/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`);
  });
};
ctx.on("request", (r) => requests.push(r.url()));
ctx.on("page", watch);
await ctx.addInitScript(() => {
  window.__csp = [];
  document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
});

const page = ctx.pages()[0] ?? (await ctx.newPage());
watch(page);

let passed = 0;
let failed = 0;
async function test(name, fn) {
  if (only && !only.test(name)) return;
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message.split("\n").slice(0, 6).join("\n     ")}`);
    await page.screenshot({ path: join(out, `fail-${name.replace(/\W+/g, "-")}.png`) }).catch(() => {});
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
const shot = (name, p = page) => p.screenshot({ path: join(out, `${name}.png`) });
const text = (sel, p = page) => p.locator(sel).first().innerText({ timeout: TIMEOUT });

await test("the page loads and the app mounts", async () => {
  await page.goto(base);
  await page.locator(".welcome").waitFor({ timeout: TIMEOUT });
  assert((await page.locator(".kernel-card").count()) === 4, "four bundled kernels");
  await shot("1-welcome");
});

let loadMs = 0;
await test("a bundled kernel loads with progress and a summary", async () => {
  const t0 = Date.now();
  await page.locator(`.kernel-card[data-kernel="${K61}"]`).click();
  await page.locator("#summary").waitFor({ timeout: TIMEOUT });
  loadMs = Date.now() - t0;
  const summary = await text("#summary");
  assert(summary.includes(K61), "label");
  assert(summary.includes("100\u2009642"), "type count");
  assert(summary.includes("ENUM64 / signed enums"), "features table");
  assert(/kernel\s+≥ 6\.0/.test(summary), `minimum kernel: ${summary.slice(0, 400)}`);
  assert(page.url().includes(`kernel=${K61}`), `URL names the kernel: ${page.url()}`);
  await shot("2-summary");
});

await test("search finds task_struct instantly and opens it", async () => {
  await page.locator('button.tab[data-view="types"]').click();
  const search = page.locator("#search");
  await search.click();
  const t0 = Date.now();
  await search.pressSequentially("task_struct", { delay: 15 });
  await page.locator(".trow").first().filter({ hasText: "task_struct" }).waitFor({ timeout: TIMEOUT });
  const typed = Date.now() - t0;
  const first = await page.locator(".trow").first().innerText();
  assert(/struct\s+task_struct\s+\d+/.test(first), `first hit: ${first}`);
  assert((await page.locator(".trow").count()) < 100, "list is virtualised");
  await search.press("Enter");
  await page.locator('#type-detail h1:text-is("task_struct")').waitFor({ timeout: TIMEOUT });
  assert(page.url().includes("type=task_struct"), `URL: ${page.url()}`);
  console.log(`     typing 11 characters and seeing the hit: ${typed} ms`);
  await shot("3-types-task_struct");
});

await test("a link in the detail leads to mm_struct, and back returns", async () => {
  await page.locator('#type-detail a.tref:text-is("mm_struct")').first().click();
  await page.locator('#type-detail h1:text-is("mm_struct")').waitFor({ timeout: TIMEOUT });
  assert(page.url().includes("type=mm_struct"), `URL: ${page.url()}`);
  const detail = await text("#type-detail");
  assert(detail.includes("STRUCT 'mm_struct' size="), "raw listing line");
  await shot("4-types-mm_struct");
  await page.goBack();
  await page.locator('#type-detail h1:text-is("task_struct")').waitFor({ timeout: TIMEOUT });
});

await test("keyboard: arrows move the cursor, Enter opens", async () => {
  const search = page.locator("#search");
  await search.fill("sk_buff");
  await page.locator(".trow").first().filter({ hasText: "sk_buff" }).waitFor({ timeout: TIMEOUT });
  await search.press("ArrowDown");
  const second = await page.locator(".trow.cursor").innerText();
  await search.press("Enter");
  const name = second.split(/\s+/)[1];
  await page.locator(`#type-detail h1:text-is("${name}")`).waitFor({ timeout: TIMEOUT });
  await page.keyboard.press("Escape");
});

await test("the raw listing scrolls smoothly and jumps to a type", async () => {
  await page.locator('button.tab[data-view="listing"]').click();
  await page.locator(".vrow").first().waitFor({ timeout: TIMEOUT });
  const lines = Number((await text(".listing-bar")).match(/^([\d\u2009 ]+) lines/)[1].replace(/\D/g, ""));
  assert(lines > 200_000, `listing has ${lines} lines`);
  const rows = await page.locator(".vrow").count();
  assert(rows > 20 && rows < 100, `${rows} rows in the DOM`);
  // Scroll through the middle: the rows there render, and the DOM stays small.
  const frames = await page.evaluate(async (n) => {
    const v = document.querySelector(".viewer");
    const t0 = performance.now();
    for (let i = 1; i <= 40; i++) {
      v.scrollTop = (v.scrollHeight * i) / 41;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    }
    return { ms: (performance.now() - t0) / 40, rows: document.querySelectorAll(".vrow").length, n };
  }, lines);
  assert(frames.rows < 100, `${frames.rows} rows after scrolling`);
  console.log(`     40 jumps through ${lines} lines: ${frames.ms.toFixed(1)} ms per scroll+render`);
  await page.evaluate(() => { const v = document.querySelector(".viewer"); v.scrollTop = v.scrollHeight / 2; });
  const mid = Math.floor(lines / 2);
  await page.waitForFunction((mid) => [...document.querySelectorAll(".vrow")].some((r) => Math.abs(+r.dataset.line - mid) < 60), mid, { timeout: TIMEOUT });
  await page.locator("#goto").fill("task_struct");
  await page.locator("#goto").press("Enter");
  await page.locator(".vrow.hl").filter({ hasText: "STRUCT 'task_struct'" }).waitFor({ timeout: TIMEOUT });
  assert(/view=listing/.test(page.url()), `URL: ${page.url()}`);
  await shot("5-listing-task_struct");
  // A type link inside the listing jumps to that type's line.
  // Let the jump's scroll settle (it is reported to the URL after a quiet time) before
  // clicking inside the rows it rendered.
  await page.waitForTimeout(400);
  await page.locator(".vrow.hl + .vrow a.tref").first().click();
  await page.waitForFunction(() => /^\[\d+\] /.test(document.querySelector(".vrow.hl .vcode")?.textContent ?? ""), null, { timeout: TIMEOUT });
  await page.locator("#goto").fill("1000");
  await page.locator("#goto").press("Enter");
  await page.locator('.vrow.hl[data-line="1000"]').waitFor({ timeout: TIMEOUT });
});

await test("uploading a kernel BTF file (by path) shows its summary", async () => {
  await page.locator("#file").setInputFiles(UPLOAD);
  // The view stays what it was (switching kernels keeps the type and the view).
  await page.locator('#kernel-select option:checked:text-is("debian13-6.12.107-s390x.btf.gz")').waitFor({ state: "attached", timeout: TIMEOUT });
  await page.locator('button.tab[data-view="summary"]').click();
  await page.locator('#summary h1:text-is("debian13-6.12.107-s390x.btf.gz")').waitFor({ timeout: TIMEOUT });
  const summary = await text("#summary");
  assert(summary.includes("big-endian"), "byte order");
  assert(summary.includes("88\u2009137"), `type count: ${summary.slice(0, 300)}`);
  assert(!page.url().includes("kernel="), `an upload is not in the URL: ${page.url()}`);
  await shot("6-upload-summary");
});

await test("a kernel module's split BTF opens over the kernel", async () => {
  await page.locator("#kernel-select").selectOption(K61);
  await page.locator(`#summary h1:text-is("${K61}")`).waitFor({ timeout: TIMEOUT });
  await page.locator("#file").setInputFiles(join(root, `tests/data/modules/${K61}-ext4.ko.gz`));
  await page.locator(`#summary h1:text-is("${K61}-ext4.ko.gz")`).waitFor({ timeout: TIMEOUT });
  const summary = await text("#summary");
  assert(summary.includes(`over a base of 100642 types (${K61})`), `split line: ${summary.slice(0, 600)}`);
  assert(summary.includes("relocatable ELF (kernel module)"), "content");
  await shot("6b-module-summary");
  // A base type linked from a module type opens in the detail.
  await page.locator('button.tab[data-view="types"]').click();
  await page.locator("#search").fill("ext4_sb_info");
  await page.locator("#search").press("Enter");
  await page.locator('#type-detail h1:text-is("ext4_sb_info")').waitFor({ timeout: TIMEOUT });
  await page.locator('#type-detail a.tref:text-is("super_block")').first().click();
  await page.locator('#type-detail h1:text-is("super_block")').waitFor({ timeout: TIMEOUT });
  await page.locator('button.tab[data-view="summary"]').click();
});

await test("dropping a file anywhere on the page opens it", async () => {
  await page.evaluate(async () => {
    const blob = await (await fetch("kernels/debian11-5.10.0-46-amd64.btf.gz")).blob();
    const dt = new DataTransfer();
    dt.items.add(new File([blob], "dropped-5.10.btf.gz"));
    const app = document.querySelector(".app");
    app.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
    app.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await page.locator('#summary h1:text-is("dropped-5.10.btf.gz")').waitFor({ timeout: TIMEOUT });
  assert((await page.locator(".drop-overlay").count()) === 0, "overlay gone after the drop");
});

await test("a bad file gets a one-line error, not a crash", async () => {
  await page.locator("#file").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello") });
  await page.locator(".error-banner").waitFor({ timeout: TIMEOUT });
  const err = await text(".error-banner");
  assert(err.startsWith("notes.txt: not a recognised input"), err);
  await shot("7-error");
  await page.locator(".error-banner button").click();
});

await test("an embed URL shows one compact panel", async () => {
  const embed = await ctx.newPage();
  await embed.setViewportSize({ width: 720, height: 520 });
  await embed.goto(`${base}?embed=type&kernel=${K61}&type=task_struct`);
  await embed.locator('#embed #type-detail h1:text-is("task_struct")').waitFor({ timeout: TIMEOUT });
  const header = await embed.locator("#embed thead").innerText();
  assert(/offset\s+member\s+type/i.test(header), `pahole-like columns: ${header}`);
  await embed.locator('#embed td.d-name:text-is("mm")').waitFor({ timeout: TIMEOUT });
  assert((await embed.locator(".topbar").count()) === 0, "no top bar in an embed");
  const open = await embed.locator(".embed-bar a").getAttribute("href");
  assert(open.includes("type=task_struct") && !open.includes("embed"), open);
  await shot("8-embed", embed);
  await embed.close();
});

await test("phone-sized and dark layouts render", async () => {
  const phone = await ctx.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.emulateMedia({ colorScheme: "dark" });
  await phone.goto(`${base}?kernel=${K61}&type=task_struct`);
  await phone.locator('#type-detail h1:text-is("task_struct")').waitFor({ timeout: TIMEOUT });
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `page wider than the phone by ${overflow}px`);
  await shot("9-phone-dark", phone);
  await phone.emulateMedia({ colorScheme: "light" });
  await phone.goto(`${base}?kernel=${K61}`);
  await phone.locator("#summary").waitFor({ timeout: TIMEOUT });
  await shot("10-phone-summary", phone);
  await phone.close();
});

const K510 = "debian11-5.10.0-46-amd64";
const K618 = "host-6.18.44-fc-v657-amd64";
const SAMPLES = join(root, "www/samples");
let relocMs = null;

await test("a BPF object uploaded through the file input shows its relocations", async () => {
  await page.goto(`${base}?kernel=${K510}`);
  await page.locator("#summary").waitFor({ timeout: TIMEOUT });
  await page.locator('button.area-tab[data-area="object"]').click();
  await page.locator(".welcome .sample-cards").waitFor({ timeout: TIMEOUT });
  await shot("11-object-welcome");
  await page.locator("#object-file").setInputFiles(join(SAMPLES, "10_guarding.bpf.o"));
  await page.locator("#code-listing").waitFor({ timeout: TIMEOUT });
  const code = await text("#code-listing");
  assert(code.includes("10_guarding.bpf.c:"), "source lines interleaved");
  assert((await page.locator("#code-listing .relo-mark").count()) >= 7, "CO-RE marks in the code");
  await shot("12-object-code");
  await page.locator('button.tab[data-view="relocs"]').click();
  await page.locator("tr.rrow").first().waitFor({ timeout: TIMEOUT });
  assert((await page.locator("tr.rrow").count()) === 10, "ten relocation rows");
  const row9 = await text('tr.rrow[data-relo="9"]');
  assert(/inode\.i_atime_sec/.test(row9) && /poisoned/.test(row9), `row 9: ${row9}`);
  // Expand it: the explanation says which candidate was tried and why it did not match.
  await page.locator('tr.rrow[data-relo="9"]').click();
  await page.locator("#explain .cand").first().waitFor({ timeout: TIMEOUT });
  const ex = await text("#explain");
  assert(ex.includes("struct inode has no field i_atime_sec"), `explanation: ${ex.slice(0, 500)}`);
  assert(ex.includes("call 0xbad2310"), "patched instruction shown");
  assert(ex.includes("libbpf: prog 'atime_unguarded': relo #9: non-matching candidate #0"), "libbpf's log verbatim");
  assert(page.url().includes("relo=9") && page.url().includes("view=relocs"), `URL: ${page.url()}`);
  assert(!page.url().includes("obj="), "an uploaded object is not in the URL");
  await shot("13-relocs-explained");
});

await test("switching the target kernel changes the relocated values", async () => {
  await page.goto(`${base}?obj=09_state_rename&kernel=${K510}&view=relocs`);
  await page.locator('tr.rrow[data-relo="2"]').waitFor({ timeout: TIMEOUT });
  const old = await text('tr.rrow[data-relo="2"]');
  assert(/task_struct___old\.state/.test(old) && /→\s*16/.test(old), `5.10: ${old}`);
  assert(/poisoned/.test(await text('tr.rrow[data-relo="1"]')), "__state is poisoned on 5.10");
  const t0 = Date.now();
  await page.locator("#kernel-select").selectOption(K618);
  await page.waitForFunction(() => /poisoned/.test(document.querySelector('tr.rrow[data-relo="2"]')?.textContent ?? ""), null, { timeout: TIMEOUT });
  const newer = await text('tr.rrow[data-relo="1"]');
  assert(/task_struct___new\.__state/.test(newer) && /→\s*24/.test(newer), `6.18: ${newer}`);
  console.log(`     switch to 6.18 and see the new values: ${Date.now() - t0} ms`);
  assert(page.url().includes(`kernel=${K618}`), page.url());
  // Back to 5.10: already in the worker, so no fetch or parse.
  const t1 = Date.now();
  await page.locator("#kernel-select").selectOption(K510);
  await page.waitForFunction(() => /→\s*16/.test(document.querySelector('tr.rrow[data-relo="2"]')?.textContent ?? ""), null, { timeout: TIMEOUT });
  console.log(`     back to 5.10 (cached kernel): ${Date.now() - t1} ms`);
});

await test("the largest corpus object relocates in the browser within budget", async () => {
  await page.locator("#object-file").setInputFiles(join(root, "tests/data/oracle/obj/tcpstates.o.gz"));
  await page.locator("#kernel-select").selectOption(K618);
  await page.locator('button.tab[data-view="relocs"]').click();
  await page.waitForFunction(() => document.querySelectorAll("tr.rrow").length === 59 && /host-6\.18/.test(document.querySelector("#relocs .panel-head")?.textContent ?? ""), null, { timeout: TIMEOUT });
  // Once more against the same kernel: its name index is built, as it is after the first use.
  await page.locator("#kernel-select").selectOption(K510);
  await page.waitForFunction(() => /debian11/.test(document.querySelector("#relocs .panel-head")?.textContent ?? ""), null, { timeout: TIMEOUT });
  await page.locator("#kernel-select").selectOption(K618);
  await page.waitForFunction(() => /host-6\.18/.test(document.querySelector("#relocs .panel-head")?.textContent ?? ""), null, { timeout: TIMEOUT });
  const timing = await text("#reloc-timing");
  relocMs = Number(/in ([\d.]+) ms/.exec(timing)[1]);
  console.log(`     tcpstates.o (59 relocations) against 6.18, in the worker: ${relocMs} ms`);
  assert(relocMs < 50, `relocation took ${relocMs} ms (budget 50)`);
});

await test("the matrix shows every program and relocation on every bundled kernel", async () => {
  await page.goto(`${base}?obj=10_guarding&view=matrix`);
  await page.locator("#matrix-programs tbody tr").first().waitFor({ timeout: 60_000 });
  const rows = await page.locator("#matrix-programs tbody tr").allInnerTexts();
  assert(rows.length === 2, `${rows.length} program rows`);
  const unguarded = rows.find((r) => r.startsWith("atime_unguarded"));
  const verdicts = unguarded.split("\t").slice(1).map((c) => c.trim());
  assert(verdicts.join("|") === "rejected: poison|rejected: poison|rejected: poison|loads", `atime_unguarded: ${verdicts.join("|")}`);
  assert((await page.locator("#matrix-relocs tr.varies").count()) >= 5, "varying rows highlighted");
  assert((await text("#matrix")).includes("poisoned insn 7 (atime_unguarded+7) reachable"), "the first reason is listed");
  await shot("14-matrix");
  // A cell opens that kernel's guarding view of the program.
  await page.locator('#matrix-programs tr[data-prog="atime_unguarded"] td.mcell').first().click();
  await page.locator("#verdict").waitFor({ timeout: TIMEOUT });
  assert(page.url().includes(`kernel=${K510}`) && page.url().includes("view=flow"), page.url());
});

await test("libbpf=1.5 in the URL relocates as 1.5: array field sizes, and the row says 1.7 differs", async () => {
  // 04_sizes reads task_struct.comm (char[16]): libbpf 1.5 sizes the access by the whole
  // array, 1.6+ by one element (res.orig_sz/new_sz), as the oracles of both releases say.
  await page.goto(`${base}?obj=04_sizes&kernel=${K61}&view=relocs&relo=1&libbpf=1.5`);
  await page.locator('#reloc-release:text-is("as libbpf 1.5")').waitFor({ timeout: TIMEOUT });
  await page.locator("#explain .release-note").waitFor({ timeout: TIMEOUT });
  const row = await text('tr.rrow[data-relo="1"]');
  assert(row.includes("libbpf 1.7 differs: orig_sz 1 (1.5: 16), new_sz 1 (1.5: 16)"), row);
  assert((await page.locator("tr.rrow .release-note").count()) === 1, "only the array field's row differs");
  assert((await text("#explain")).includes("size 16 → 16 bytes"), await text("#explain"));
  assert((await page.locator("#reloc-libbpf").inputValue()) === "1.5", "the choice shows 1.5");
  await shot("14b-relocs-libbpf-1.5");
  // Back to the default: the URL drops it, the sizes are one element's.
  await page.locator("#reloc-libbpf").selectOption("1.7");
  await page.locator('#reloc-release:text-is("as libbpf 1.7")').waitFor({ timeout: TIMEOUT });
  await page.waitForFunction(() => (document.querySelector("#explain")?.textContent ?? "").includes("size 1 → 1 bytes"), null, { timeout: TIMEOUT });
  assert(!page.url().includes("libbpf="), `the default is not in the URL: ${page.url()}`);
  assert((await text('tr.rrow[data-relo="1"]')).includes("libbpf 1.5 differs: orig_sz 16 (1.7: 1)"), "the row names 1.5's sizes");
  // Guarding and the matrix say which release answered.
  await page.goto(`${base}?obj=04_sizes&kernel=${K61}&view=flow&libbpf=1.5`);
  await page.locator("#verdict").waitFor({ timeout: TIMEOUT });
  assert((await text("#verdict")).includes("libbpf 1.5"), await text("#verdict"));
  assert((await page.locator("#whatif-libbpf").inputValue()) === "1.5", "the what-if panel's choice");
  await shot("14c-guard-libbpf-1.5");
});

await test("guarding: a reachable poison rejects one program, dead blocks let the other load", async () => {
  await page.goto(`${base}?obj=10_guarding&kernel=${K510}&view=flow&prog=atime_unguarded`);
  await page.locator("#verdict .v-rejected_poison").waitFor({ timeout: TIMEOUT });
  const v = await text("#verdict");
  assert(v.includes("rejected: poisoned instruction 7 (atime_unguarded+7) is reachable"), v);
  const poisonRow = page.locator(".frow.poison-live");
  assert((await poisonRow.count()) === 1, "one reachable poisoned row");
  assert((await poisonRow.innerText()).includes("call 0xbad2310"), "the poisoned call");
  const card = await text("#poison-7");
  assert(card.includes("invalid func unknown#195896080"), "kernel message");
  assert(card.includes("failed to resolve CO-RE relocation <byte_off> [77] struct inode.i_atime_sec"), "libbpf message");
  assert(card.includes("10_guarding.bpf.c:46"), "source line");
  assert(card.includes("struct inode has no field i_atime_sec"), "the reason in words");
  assert((await page.locator(".frow.dead").count()) > 5, "dead rows after the poison");
  await shot("15-guard-rejected");
  await page.locator('.prog-row[data-prog="atime_guarded"]').click();
  await page.locator("#verdict .v-loaded").waitFor({ timeout: TIMEOUT });
  assert((await page.locator(".frow.decided").count()) === 2, "two decided branches");
  assert((await text(".flow-details")).includes("always jumps: decided by CO-RE relocation #2 (field_exists inode.i_atime_sec = 0)"), "what decided it");
  assert((await page.locator("svg.gutter path.jarrow.live").count()) >= 2, "jump arrows");
  await shot("16-guard-loads");
  await page.locator('button.tab[data-view="graph"]').click();
  await page.locator("#graph svg .gblock").first().waitFor({ timeout: TIMEOUT });
  const dead = await page.locator("#graph .gblock.dead").count();
  assert(dead === 4, `${dead} dead blocks`);
  assert((await page.locator("#graph .gedge.dead").count()) >= 2, "edges never taken are dashed");
  await shot("17-guard-graph");
});

await test("what-if: hiding a field and setting a global change the verdicts live", async () => {
  await page.goto(`${base}?obj=10_guarding&kernel=${K618}&view=flow&prog=atime_unguarded`);
  await page.locator("#verdict .v-loaded").waitFor({ timeout: TIMEOUT });
  await page.locator("#whatif-hide").fill("inode.i_atime_sec");
  await page.locator("#whatif-hide").press("Enter");
  await page.locator("#verdict .v-rejected_poison").waitFor({ timeout: TIMEOUT });
  assert(page.url().includes("hide=inode.i_atime_sec"), page.url());
  assert((await text("#whatif")).includes("inode.i_atime_sec: removed from 1 type"), "what hiding did");
  await shot("18-whatif-hidden");
  await page.locator('.hide-chip[data-hide="inode.i_atime_sec"] button').click();
  await page.locator("#verdict .v-loaded").waitFor({ timeout: TIMEOUT });
  // A const volatile global and a Kconfig value decide branches of 07_kconfig.
  await page.goto(`${base}?obj=07_kconfig&kernel=${K510}&view=flow`);
  await page.locator("#verdict .v-loaded").waitFor({ timeout: TIMEOUT });
  const live = async () => Number(/reaches (\d+) of/.exec(await text("#verdict"))[1]);
  const before = await live();
  // What is typed but not yet committed survives the panel re-rendering: here the kernel
  // version changes meanwhile (focus stays in the field), as a worker's reply can at any time.
  await page.locator("#knob-verbose").fill("1");
  await page.evaluate(() => {
    const release = document.querySelector("#whatif-release");
    release.value = "6.1.0";
    release.dispatchEvent(new Event("change", { bubbles: true }));
  });
  await page.waitForFunction(() => /LINUX_KERNEL_VERSION 6\.1\.0/.test(document.querySelector("#verdict")?.textContent ?? ""), null, { timeout: TIMEOUT });
  assert((await page.locator("#knob-verbose").inputValue()) === "1", "what was typed is still there");
  await page.locator("#knob-verbose").press("Enter");
  // The simulation ran with it: the report marks the knob as set, and more code lives.
  await page.locator(".knob.overridden #knob-verbose").waitFor({ timeout: TIMEOUT });
  await page.waitForFunction((b) => { const m = /reaches (\d+) of/.exec(document.querySelector("#verdict")?.textContent ?? ""); return m && +m[1] > b; }, before, { timeout: TIMEOUT });
  await page.locator("#knob-CONFIG_BPF_SYSCALL").selectOption("y");
  await page.waitForFunction(() => /CONFIG_BPF_SYSCALL%3Dy/.test(location.search), null, { timeout: TIMEOUT });
  await page.locator("#whatif-release").fill("6.2.0");
  await page.locator("#whatif-release").press("Enter");
  await page.waitForFunction(() => /LINUX_KERNEL_VERSION 6\.2\.0/.test(document.querySelector("#verdict")?.textContent ?? ""), null, { timeout: TIMEOUT });
  assert(page.url().includes("kv=6.2.0") && page.url().includes("set=verbose%3D1") && page.url().includes("CONFIG_BPF_SYSCALL%3Dy"), page.url());
  await shot("19-whatif-knobs");
});

await test("compare: a struct across kernels with changes highlighted", async () => {
  await page.goto(`${base}?kernel=${K618}&view=compare&type=inode`);
  await page.locator("#compare-table tbody tr").first().waitFor({ timeout: 60_000 });
  const heads = await page.locator("#compare-table thead th").count();
  assert(heads === 4, `${heads} kernel columns`);
  assert((await page.locator("#compare-table .chg-added").count()) > 0, "added fields");
  assert((await page.locator("#compare-table .chg-removed").count()) > 0, "removed fields");
  const body = await text("#compare");
  assert(body.includes("i_atime_sec") && body.includes("i_atime → i_atime_sec"), "the timestamp change");
  await shot("20-compare");
  await page.locator('.kbox input[data-kernel="debian13-6.12.107-s390x"]').uncheck();
  await page.waitForFunction(() => document.querySelectorAll("#compare-table thead th").length === 3, null, { timeout: TIMEOUT });
  assert(page.url().includes("cmp="), page.url());
});

await test("the Tour walks every step by button, keyboard and URL", async () => {
  await page.goto(`${base}?kernel=${K618}`);
  await page.locator("#summary").waitFor({ timeout: TIMEOUT });
  await page.locator('button.area-tab[data-area="tour"]').click();
  await page.locator("#tour").waitFor({ timeout: TIMEOUT });
  const steps = Number(/Tour 1\/(\d+)/.exec(await text("#tour"))[1]);
  assert(steps >= 12, `${steps} steps`);
  // Each step opens its view with its sample; wait for that view's content.
  const ready = {
    relocs: "tr.rrow", matrix: "#matrix-programs tbody tr", flow: "#verdict", graph: "#graph .gblock", compare: "#compare-table tbody tr",
    ask: "#ask-verdict", loadlog: "#log-results .log-finding",
  };
  for (let i = 1; i <= steps; i++) {
    await page.waitForFunction((i) => document.querySelector("#tour")?.dataset.step === String(i), i, { timeout: TIMEOUT });
    const u = new URL(page.url());
    assert(u.searchParams.get("tour") === String(i), `step ${i} URL: ${page.url()}`);
    const view = u.searchParams.get("view") ?? u.searchParams.get("area");
    await page.locator(ready[view]).first().waitFor({ timeout: 60_000 });
    if (i === 10) await shot("21-tour-step10");
    if (i < steps) {
      if (i % 2) await page.locator("#tour-next").click();
      else await page.keyboard.press("ArrowRight");
    }
  }
  await page.keyboard.press("ArrowLeft");
  await page.waitForFunction(() => document.querySelector("#tour")?.dataset.step !== undefined && new URL(location.href).searchParams.get("tour") !== null, null, { timeout: TIMEOUT });
  // A step by URL.
  await page.goto(`${base}?tour=10`);
  await page.locator("#verdict .v-rejected_poison").waitFor({ timeout: TIMEOUT });
  assert((await text("#tour")).includes("A reachable poison"), "step 10 by URL");
});

await test("embed URLs show one compact panel each", async () => {
  const embed = await ctx.newPage();
  await embed.setViewportSize({ width: 760, height: 560 });
  const cases = [
    [`?embed=relocs&obj=01_read_field&kernel=${K510}`, "#embed tr.rrow", "task_struct.pid"],
    [`?embed=guard&obj=10_guarding&kernel=${K510}&prog=atime_unguarded`, "#embed #verdict", "rejected"],
    [`?embed=matrix&obj=05_existence`, "#embed #matrix-programs tbody tr", "existence"],
    [`?embed=compare&type=task_struct&cmp=${K510},${K618}`, "#embed #compare-table tbody tr", "__state"],
  ];
  for (const [i, [u, sel, want]] of cases.entries()) {
    await embed.goto(`${base}${u}`);
    await embed.locator(sel).first().waitFor({ timeout: 60_000 });
    const body = await embed.locator("#embed").innerText();
    assert(body.includes(want), `${u}: ${body.slice(0, 300)}`);
    assert((await embed.locator(".topbar").count()) === 0, "no top bar");
    const open = await embed.locator(".embed-bar a").getAttribute("href");
    assert(!open.includes("embed"), open);
    await shot(`22-embed-${i}`, embed);
  }
  await embed.close();
});

await test("share gives the view's link and an embed snippet", async () => {
  await page.goto(`${base}?obj=10_guarding&kernel=${K510}&view=relocs&relo=3`);
  await page.locator("tr.rrow").first().waitFor({ timeout: TIMEOUT });
  await page.locator("#share").click();
  const link = await page.locator("#share-link").inputValue();
  assert(link.endsWith("?obj=10_guarding&kernel=debian11-5.10.0-46-amd64&view=relocs&relo=3"), link);
  const snippet = await page.locator("#share-embed").inputValue();
  assert(snippet.startsWith("<iframe src=") && snippet.includes("embed=relocs"), snippet);
  const own = await page.locator("#share-own").inputValue();
  assert(own.includes('type: "corelab:file"') && own.includes("embed=relocs") && own.includes(`"${origin}"`), own);
  await page.locator("#share").click();
});

await test("object areas on a phone, in the dark", async () => {
  const phone = await ctx.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.emulateMedia({ colorScheme: "dark" });
  await phone.goto(`${base}?obj=10_guarding&kernel=${K510}&view=flow&prog=atime_unguarded`);
  await phone.locator("#verdict .v-rejected_poison").waitFor({ timeout: TIMEOUT });
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `page wider than the phone by ${overflow}px`);
  await shot("23-phone-guard-dark", phone);
  await phone.goto(`${base}?obj=10_guarding&kernel=${K510}&view=relocs&relo=9`);
  await phone.locator("#explain .cand").first().waitFor({ timeout: TIMEOUT });
  await shot("24-phone-relocs-dark", phone);
  await phone.emulateMedia({ colorScheme: "light" });
  await phone.setViewportSize({ width: 1280, height: 800 });
  await phone.emulateMedia({ colorScheme: "dark" });
  await phone.goto(`${base}?obj=10_guarding&kernel=${K510}&view=graph&prog=atime_guarded`);
  await phone.locator("#graph .gblock").first().waitFor({ timeout: TIMEOUT });
  await shot("25-laptop-graph-dark", phone);
  await phone.close();
});

const headerLines = async () => Number((await text("#header-stats")).match(/^([\d\u2009 ]+) lines/)[1].replace(/\D/g, ""));
let headerMs = null;

await test("vmlinux.h: the whole header, type links jump to definitions", async () => {
  await page.goto(`${base}?kernel=${K510}`);
  await page.locator("#summary").waitFor({ timeout: TIMEOUT });
  await page.locator('button.tab[data-view="header"]').click();
  await page.locator("#header-view .vrow").first().waitFor({ timeout: TIMEOUT });
  assert(/^#ifndef __VMLINUX_H__/.test(await text('#header-view .vrow[data-line="1"] .vcode')), "first line");
  const lines = await headerLines();
  assert(lines > 90_000, `header has ${lines} lines`);
  assert((await page.locator("#header-view .vrow").count()) < 100, "virtualised");
  assert(/generated in \d+ ms/.test(await text("#header-stats")), "generation time shown");
  assert(/view=header/.test(page.url()), page.url());
  await page.locator("#header-goto").fill("task_struct");
  await page.locator("#header-goto").press("Enter");
  await page.locator("#header-view .vrow.hl").filter({ hasText: "struct task_struct {" }).waitFor({ timeout: TIMEOUT });
  await page.waitForTimeout(400); // the jump's scroll settles into the URL
  assert(/type=task_struct/.test(page.url()) && /line=\d+/.test(page.url()), page.url());
  await shot("30-header-task_struct");
  // `struct mm_struct *mm;` a few dozen lines down: its link lands on mm_struct's definition.
  await page.locator("#header-view .vrow", { hasText: "struct mm_struct *mm;" }).locator('a.tref:text-is("mm_struct")').first().click();
  await page.locator("#header-view .vrow.hl").filter({ hasText: "struct mm_struct {" }).waitFor({ timeout: TIMEOUT });
  assert(/type=mm_struct/.test(page.url()), page.url());
  // Landed near the top (3 lines of context), not wherever the browser's scroll anchoring puts it.
  const y = await page.evaluate(() => document.querySelector("#header-view .vrow.hl").getBoundingClientRect().top
    - document.querySelector("#header-view .viewer").getBoundingClientRect().top);
  assert(y >= 0 && y < 100, `definition at ${y}px from the top of the viewer`);
  await shot("31-header-mm_struct");
});

await test("vmlinux.h: profiles, roots, download", async () => {
  const whole = await headerLines();
  const line8 = async () => (await page.evaluate(() => { const v = document.querySelector("#header-view .viewer"); v.scrollTop = 0; }),
    await page.locator('#header-view .vrow[data-line="8"] .vcode').innerText({ timeout: TIMEOUT }));
  const before = await line8();
  const stats = (await text("#header-stats")).split(" lines")[0];
  await page.locator("#header-profile").selectOption("bpftool-7.1");
  await page.waitForFunction((n) => {
    const s = document.querySelector("#header-stats");
    return s && !s.textContent.startsWith(n);
  }, stats, { timeout: TIMEOUT });
  const lines71 = await headerLines();
  assert(lines71 !== whole, `bpftool-7.1 has ${lines71} lines, bpftool ${whole}`);
  const after = await line8();
  assert(before.includes("__ksym") && !after.includes("__ksym"), `line 8: '${before}' then '${after}'`);
  assert(/profile=bpftool-7\.1/.test(page.url()), page.url());
  // Only task_struct and what it needs.
  await page.locator("#header-roots").fill("task_struct");
  await page.locator("#header-roots").press("Enter");
  await page.waitForFunction(() => /^[\d\u2009 ]{1,6} lines/.test(document.querySelector("#header-stats")?.textContent ?? ""), null, { timeout: TIMEOUT });
  const small = await headerLines();
  assert(small < 5000, `roots header has ${small} lines`);
  assert(/root=task_struct/.test(page.url()), page.url());
  await page.locator("#header-goto").fill("task_struct");
  await page.locator("#header-goto").press("Enter");
  await page.locator("#header-view .vrow.hl").filter({ hasText: "struct task_struct {" }).waitFor({ timeout: TIMEOUT });
  await shot("32-header-roots");
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: TIMEOUT }),
    page.locator("#header-download").click(),
  ]);
  assert(download.suggestedFilename() === "vmlinux.h", download.suggestedFilename());
  const path = await download.path();
  const { readFileSync } = await import("node:fs");
  const body = readFileSync(path, "utf8");
  assert(body.startsWith("#ifndef __VMLINUX_H__"), body.slice(0, 80));
  assert(body.split("\n").length - 1 === small, `downloaded ${body.split("\n").length - 1} lines, shown ${small}`);
  assert(body.includes("struct task_struct {"), "task_struct in the download");
  // Copy puts the same text on the clipboard.
  await ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
  await page.locator("#header-copy").click();
  await page.locator('#header-copy:text-is("Copied")').waitFor({ timeout: TIMEOUT });
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  assert(clip === body, `clipboard holds ${clip.length} bytes, the download ${body.length}`);
  // The bpf_helpers.h typedefs add a few lines to a rooted header.
  await page.locator("#header-helpers").check();
  await page.waitForFunction((n) => Number((document.querySelector("#header-stats")?.textContent ?? "").split(" lines")[0].replace(/\D/g, "")) > n, small, { timeout: TIMEOUT });
  assert(/helpers=1/.test(page.url()), page.url());
  // Back to the whole header by clearing the roots; it was generated before: no wait.
  await page.locator("#header-roots").fill("");
  await page.locator("#header-roots").press("Enter");
  await page.waitForFunction((n) => (document.querySelector("#header-stats")?.textContent ?? "").replace(/\D/g, "").startsWith(String(n)), lines71, { timeout: TIMEOUT });
});

await test("layout: task_struct as pahole prints it, and the detail leads into vmlinux.h", async () => {
  await page.goto(`${base}?kernel=${K510}&type=task_struct`);
  await page.locator('#type-detail h1:text-is("task_struct")').waitFor({ timeout: TIMEOUT });
  await page.locator("#show-layout").click();
  await page.locator("#layout-text").waitFor({ timeout: TIMEOUT });
  const lay = await text("#layout-text");
  assert(lay.startsWith("struct task_struct {"), lay.slice(0, 60));
  assert(lay.includes("/* size: "), "size line");
  assert(lay.includes("/* XXX "), "holes shown");
  assert(/view=layout/.test(page.url()) && /type=task_struct/.test(page.url()), page.url());
  await shot("33-layout-task_struct");
  await page.locator('button.tab[data-view="types"]').click();
  await page.locator("#show-in-header").click();
  await page.locator("#header-view .vrow.hl").filter({ hasText: "struct task_struct {" }).waitFor({ timeout: TIMEOUT });
  assert(/view=header/.test(page.url()), page.url());  await page.locator('button.tab[data-view="layout"]').click();
  await page.locator("#layout-text").waitFor({ timeout: TIMEOUT });
  // The list beside it holds only structs and unions, with their sizes and holes.
  await page.locator("#struct-rows .trow").first().waitFor({ timeout: TIMEOUT });
  const count = await text("#struct-count");
  assert(/of [\d\u2009]+ structs and unions/.test(count), count);
  assert((await page.locator("#struct-rows .trow").count()) < 100, "virtualised");
  const kinds = await page.locator("#struct-rows .trow .badge").allInnerTexts();
  assert(kinds.every((k) => k === "struct" || k === "union"), `kinds: ${kinds.join(",")}`);
  await page.locator("#struct-search").fill("task_struct");
  await page.locator('#struct-rows .trow .tname:text-is("task_struct")').first().waitFor({ timeout: TIMEOUT });
  assert(/9[\d\u2009]+ B · \d+ holes/.test(await text('#struct-rows .trow.selected')), await text('#struct-rows .trow.selected'));
  // Sorted by holes, the first struct has the most; clicking it shows its layout.
  await page.locator("#struct-search").fill("");
  await page.locator('#struct-list button.chip[data-order="holes"]').click();
  const top = await page.locator("#struct-rows .trow").first();
  const topName = (await top.locator(".tname").innerText()).trim();
  const topHoles = Number(/(\d+) holes/.exec(await top.innerText())[1]);
  const second = Number((/(\d+) holes/.exec(await page.locator("#struct-rows .trow").nth(1).innerText()) ?? [0, 0])[1]);
  assert(topHoles >= second && topHoles > 5, `${topName}: ${topHoles} holes, next ${second}`);
  await top.click();
  await page.locator(`#layout-view h1:text-is("${topName}")`).waitFor({ timeout: TIMEOUT });
  assert((await text("#layout-text")).includes("/* XXX "), "its holes shown");
  await shot("37-layout-most-holes");
});

await test("vmlinux.h and layout on a phone, in the dark", async () => {
  const phone = await ctx.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.emulateMedia({ colorScheme: "dark" });
  await phone.goto(`${base}?kernel=${K510}&view=header&type=task_struct&root=task_struct`);
  await phone.locator("#header-view .vrow.hl").filter({ hasText: "struct task_struct {" }).waitFor({ timeout: TIMEOUT });
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `page wider than the phone by ${overflow}px`);
  await shot("35-phone-header-dark", phone);
  await phone.goto(`${base}?kernel=${K510}&view=layout&type=sk_buff`);
  await phone.locator("#layout-text").waitFor({ timeout: TIMEOUT });
  assert((await phone.locator("#layout-text").innerText()).includes("/* size: "), "sk_buff's layout");
  await shot("36-phone-layout-dark", phone);
  await phone.close();
});

await test("two modules opened show bpftool 7.8's merge: header, listing, and relocation in [module]", async () => {
  // bpftool 7.8's `-B 6.1 btf dump file ext4 file tcp_bbr` (format c: a diff against its
  // header of the kernel alone; raw: the listing), from tests/data.
  const name = `${K61}+ext4+tcp_bbr`;
  const gunzip = (rel) => gunzipSync(readFileSync(join(root, "tests/data", rel))).toString();
  const kernelH = gunzip(`headers/bpftool-7.8.0/${K61}.h.gz`).split("\n");
  const diff = gunzip(`modules/merged/${name}.h.diff.gz`).split("\n");
  const merged = [];
  let next = 0;
  for (let i = 0; i < diff.length; i++) {
    const m = /^@@ -(\d+)(?:,(\d+))? /.exec(diff[i]);
    if (!m) continue;
    const count = m[2] === undefined ? 1 : Number(m[2]);
    const keep = count === 0 ? Number(m[1]) : Number(m[1]) - 1;
    merged.push(...kernelH.slice(next, keep));
    next = keep + count;
    for (i++; i < diff.length && !diff[i].startsWith("@@ "); i++) if (diff[i].startsWith("+")) merged.push(diff[i].slice(1));
    i--;
  }
  merged.push(...kernelH.slice(next));
  const wantH = merged.join("\n");
  const wantRaw = gunzip(`modules/merged/${name}.raw.txt.gz`).split("\n");

  await page.goto(`${base}?kernel=${K61}&view=summary&profile=bpftool-7.8`);
  await page.locator(`#summary h1:text-is("${K61}")`).waitFor({ timeout: TIMEOUT });
  await page.locator("#file").setInputFiles(join(root, `tests/data/modules/${K61}-ext4.ko.gz`));
  await page.locator(`#summary h1:text-is("${K61}-ext4.ko.gz")`).waitFor({ timeout: TIMEOUT });
  await page.locator("#file").setInputFiles(join(root, `tests/data/modules/${K61}-tcp_bbr.ko.gz`));
  await page.locator('#summary h1:text-is("ext4 + tcp_bbr")').waitFor({ timeout: TIMEOUT });
  const summary = await text("#summary");
  assert(summary.includes("ext4, tcp_bbr: merged as bpftool 7.8 merges modules"), summary.slice(0, 800));
  console.log(`     tcp_bbr.ko opened and merged with ext4 over 6.1, in the worker: ${/loaded in ([^\n]*)/.exec(summary)?.[1]}`);
  assert(summary.includes(`over a base of 100642 types (${K61})`), "split over the kernel");
  await shot("37-modules-merged-summary");
  // The header: its first lines on screen, and the whole of it downloaded, are bpftool 7.8's.
  await page.locator('button.tab[data-view="header"]').click();
  await page.locator("#header-view .vrow").first().waitFor({ timeout: TIMEOUT });
  assert((await page.locator("#header-profile").inputValue()) === "bpftool-7.8", "profile");
  for (let n = 1; n <= 30; n++) {
    const shown = await page.locator(`#header-view .vrow[data-line="${n}"] .vcode`).innerText({ timeout: TIMEOUT });
    assert(shown.trimEnd() === merged[n - 1].trimEnd(), `line ${n}: '${shown}' vs '${merged[n - 1]}'`);
  }
  await page.locator("#header-download:not([disabled])").waitFor({ timeout: 60_000 });
  const [download] = await Promise.all([page.waitForEvent("download", { timeout: TIMEOUT }), page.locator("#header-download").click()]);
  const body = readFileSync(await download.path()).toString();
  assert(body === wantH, `the merged header differs from bpftool 7.8's (${body.length} vs ${wantH.length} bytes)`);
  assert(wantH.includes("struct ext4_sb_info {") && wantH.includes("struct bbr {"), "both modules' types");
  await page.locator("#header-goto").fill("bbr");
  await page.locator("#header-goto").press("Enter");
  await page.locator("#header-view .vrow.hl").filter({ hasText: "struct bbr {" }).waitFor({ timeout: TIMEOUT });
  await shot("38-modules-merged-header");
  // The raw listing: bpftool's, line for line at the top.
  await page.locator('button.tab[data-view="listing"]').click();
  await page.locator("section.listing .vrow").first().waitFor({ timeout: TIMEOUT });
  for (let n = 1; n <= 10; n++) {
    const shown = await page.locator(`section.listing .vrow[data-line="${n}"] .vcode`).innerText({ timeout: TIMEOUT });
    assert(shown.trimEnd() === wantRaw[n - 1].trimEnd(), `listing line ${n}: '${shown}' vs '${wantRaw[n - 1]}'`);
  }
  // An object relocated against them: a type only ext4 has is found in [ext4].
  await page.locator('button.area-tab[data-area="object"]').click();
  await page.locator("#object-file").setInputFiles(join(root, "tests/data/oracle/modules/modules.o.gz"));
  await page.locator('button.tab[data-view="relocs"]').click();
  await page.locator('#relocs .panel-head:has-text("ext4 + tcp_bbr")').waitFor({ timeout: TIMEOUT });
  await page.locator('tr.rrow[data-relo="1"]').click();
  await page.locator("#explain .cand").first().waitFor({ timeout: TIMEOUT });
  const ex = await text("#explain");
  assert(ex.includes("struct ext4_extent_header in [ext4]"), ex.slice(0, 800));
  assert(ex.includes("found target candidate [101058] struct ext4_extent_header in [ext4]"), "libbpf's log line");
  await shot("39-modules-reloc");
});

await test("vmlinux.h of the 6.18 kernel: time from the tab to the first lines", async () => {
  await page.goto(`${base}?kernel=${K618}`);
  await page.locator("#summary").waitFor({ timeout: 60_000 });
  const t0 = Date.now();
  await page.locator('button.tab[data-view="header"]').click();
  await page.locator("#header-view .vrow").first().waitFor({ timeout: 60_000 });
  headerMs = Date.now() - t0;
  // The first screen comes before the whole header (the stats appear with the whole).
  const early = await page.locator("#header-partial").count();
  const lines = await headerLines();
  assert(lines > 130_000, `6.18 header has ${lines} lines`);
  console.log(`     6.18 vmlinux.h (${lines} lines): header tab to first rendered lines ${headerMs} ms${early ? " (first screen before the whole)" : ""} (${(await text("#header-stats")).match(/generated in [^·]+/)[0].trim()})`);
  await shot("34-header-6.18");
  // Another view and back: kept, not generated again.
  await page.locator('button.tab[data-view="summary"]').click();
  const t1 = Date.now();
  await page.locator('button.tab[data-view="header"]').click();
  await page.locator("#header-view .vrow").first().waitFor({ timeout: TIMEOUT });
  console.log(`     back to the header tab: ${Date.now() - t1} ms`);
});

await test("ask: completion, clang's records, libbpf's answer, kernels by answer and a checked fix", async () => {
  await page.goto(`${base}?kernel=${K61}`);
  await page.locator("#summary").waitFor({ timeout: TIMEOUT });
  await page.locator('button.area-tab[data-area="ask"]').click();
  const box = page.locator("#ask-input");
  await box.waitFor({ timeout: TIMEOUT });
  // Completion from 6.1's names: a member after ->, taken with Tab.
  await box.click();
  await box.pressSequentially("struct task_struct *t; t->__sta");
  await page.locator("#ask-completions .completion").first().waitFor({ timeout: TIMEOUT });
  const offered = await text("#ask-completions");
  assert(/^__state$/m.test(offered), `completions: ${offered}`);
  await shot("30-ask-completion");
  await box.press("Tab");
  assert((await box.inputValue()) === "struct task_struct *t; t->__state", await box.inputValue());
  await box.press("Enter");
  // The record, as the Object area shows relocations.
  await page.locator("#ask-records tr.rrow").first().waitFor({ timeout: TIMEOUT });
  const row = await text("#ask-records tr.rrow");
  assert(/struct task_struct/.test(row) && /0:1/.test(row) && /byte_off/.test(row) && /task_struct\.__state/.test(row) && /patched/.test(row), `row: ${row}`);
  await page.locator("#ask-records tr.rrow").first().click();
  await page.locator("#ask-records #explain .cand").first().waitFor({ timeout: TIMEOUT });
  const ex = await text("#ask-records #explain");
  assert(ex.includes(`In ${K61}, task_struct.__state is at byte offset 24`), `explanation: ${ex.slice(0, 400)}`);
  // Across the bundled kernels: 5.10 lacks __state (renamed), the fix is checked.
  await page.locator("#ask-verdict").waitFor({ timeout: 60_000 });
  const verdict = await text("#ask-verdict");
  assert(verdict.includes(`breaks: task_struct.__state renamed to state in ${K510}`), verdict);
  assert((await page.locator("#ask-across tr.across-row.fails").count()) === 1, "one group of kernels does not load it");
  const fails = await text("#ask-across tr.across-row.fails");
  assert(/5\.10\.0-46 amd64/.test(fails) && /missing/.test(fails) && /poisoned/.test(fails), `5.10: ${fails}`);
  const fix = await text("#ask-fix");
  assert(fix.includes("checked: every kernel above loads it") && fix.includes("struct task_struct___old"), fix);
  const u = new URL(page.url());
  assert(u.searchParams.get("area") === "ask" && u.searchParams.get("q") === "struct task_struct *t; t->__state", page.url());
  await shot("31-ask-answer");
  // A member the kernel lacks: one line with its column, as clang would say it.
  await box.fill("struct task_struct *t; t->nope");
  await box.press("Enter");
  await page.locator("#ask-error").waitFor({ timeout: TIMEOUT });
  const err = await text("#ask-error");
  assert(/^column 27: .*nope/.test(err), err);
  await shot("32-ask-error");
});

await test("ask: an example, by URL, and as an embed", async () => {
  const q = encodeURIComponent("struct sk_buff *skb; BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type)");
  await page.goto(`${base}?area=ask&q=${q}`);
  // No kernel in the URL: the default one is compiled against.
  await page.locator("#ask-records tr.rrow").first().waitFor({ timeout: 60_000 });
  assert((await page.locator("#ask-records tr.rrow").count()) === 5, "the bitfield macro's five records");
  const kinds = await page.locator("#ask-records tr.rrow td:nth-child(4)").allInnerTexts();
  assert(kinds.join(",") === "byte_off,byte_sz,lshift_u64,signed,rshift_u64", kinds.join(","));
  await page.locator("#ask-verdict").waitFor({ timeout: 60_000 });
  assert((await text("#ask-verdict")).includes("portable"), await text("#ask-verdict"));
  const embed = await ctx.newPage();
  await embed.setViewportSize({ width: 760, height: 560 });
  await embed.goto(`${base}?embed=ask&kernel=${K61}&q=${encodeURIComponent("bpf_core_enum_value(enum bpf_func_id, BPF_FUNC_get_func_ip)")}`);
  await embed.locator("#embed #ask-verdict").waitFor({ timeout: 60_000 });
  const body = await embed.locator("#embed").innerText();
  assert(body.includes("bpf_func_id::BPF_FUNC_get_func_ip") && body.includes("needs a guard"), body.slice(0, 500));
  assert((await embed.locator(".topbar").count()) === 0 && (await embed.locator("#ask-input").count()) === 0, "compact");
  await shot("33-ask-embed", embed);
  await embed.close();
});

await test("a failed load's log: explained, and its instruction marked in the code and Guarding views", async () => {
  const logOf = (f) => gunzipSync(readFileSync(join(root, "tests/data/loadlog/logs", f))).toString();
  const log = logOf("sample_10_guarding.bpf__debian11-5.10.0-46-amd64__atime_unguarded.libbpf.log.gz");
  await page.goto(`${base}?obj=10_guarding&kernel=${K510}&view=code`);
  await page.locator("#code-listing").waitFor({ timeout: TIMEOUT });
  await page.locator('button.tab[data-view="loadlog"]').click();
  await page.locator("#log-input").fill(log);
  await page.locator("#log-go").click();
  await page.locator("#log-results .log-finding").first().waitFor({ timeout: TIMEOUT });
  const found = await text("#log-results");
  assert(found.includes("program 'atime_unguarded' (named in the log; its instructions agree)"), found.slice(0, 400));
  assert(found.includes("CO-RE relocation kprobe/vfs_read #9: byte_off inode.i_atime_sec"), found);
  assert(/Why: inode\.i_atime_sec is renamed to i_atime on this kernel/.test(found), found);
  assert(found.includes("corelab's simulation: rejected_poison at insn 7, as the verifier"), found);
  assert(new URL(page.url()).searchParams.get("log") === log.replace(/\r/g, ""), "a short log is in the link");
  await shot("34-loadlog");
  // The named instruction, in the code (section numbering) and the flow (program numbering).
  await page.locator('#log-results button:text("Marked in the code")').click();
  await page.locator('#code-listing .crow.log-marked[data-insn="36"]').waitFor({ timeout: TIMEOUT });
  assert((await page.locator("#code-listing .crow.log-marked").count()) === 1, "one marked instruction");
  await page.locator("#code-listing .crow.log-marked").scrollIntoViewIfNeeded();
  await shot("35-loadlog-code");
  await page.locator('button.tab[data-view="loadlog"]').click();
  await page.locator('#log-results button:text("Marked in the Guarding view")').click();
  await page.locator('#flow-listing .frow.log-marked[data-insn="7"]').waitFor({ timeout: TIMEOUT });
  await shot("36-loadlog-flow");
  // The relocation's row, from the finding.
  await page.locator('button.area-tab[data-area="object"]').click();
  await page.locator('button.tab[data-view="loadlog"]').click();
  await page.locator('#log-results .relo-mark[data-relo="9"]').click();
  await page.locator('tr.rrow.open[data-relo="9"]').waitFor({ timeout: TIMEOUT });
  // A log of another object says so.
  await page.locator('button.tab[data-view="loadlog"]').click();
  await page.locator("#log-input").fill(logOf("sample_03_bitfields.bpf__s390x__tcp_flags.libbpf.log.gz"));
  await page.locator("#log-go").click();
  await page.locator("#log-mismatch").waitFor({ timeout: TIMEOUT });
  assert((await text("#log-mismatch")).startsWith("This log is not about this object"), await text("#log-mismatch"));
});

// A documentation page on another origin (another port) that embeds the playground and
// hands the embed its own object by postMessage.
let docsOrigin = null;
await test("an embed on another origin's page shows the object that page posts to it", async () => {
  const sample = readFileSync(join(SAMPLES, "01_read_field.bpf.o"));
  const host = `<!doctype html><meta charset="utf-8"><title>docs</title>
<iframe id="corelab-embed" src="${base}?embed=relocs&kernel=${K510}" width="900" height="560"></iframe>
<script>
window.got = [];
const frame = document.getElementById("corelab-embed");
addEventListener("message", async (e) => {
  if (e.source !== frame.contentWindow) return;
  window.got.push(e.data);
  if (e.data.type !== "corelab:hello") return;
  const post = (m, t) => frame.contentWindow.postMessage(m, ${JSON.stringify(origin)}, t);
  // Not understood: answered with an error, nothing loaded.
  post({ type: "corelab:file", kind: "script", name: "x.js", bytes: new Uint8Array([1]) });
  // Not an object: loaded as an upload would be, and refused with the parser's words.
  post({ type: "corelab:file", kind: "object", name: "notes.txt", bytes: new TextEncoder().encode("not an ELF file") });
  const bytes = await (await fetch("my_read_field.bpf.o")).arrayBuffer();
  setTimeout(() => post({ type: "corelab:file", kind: "object", name: "my_read_field.bpf.o", bytes }, [bytes]), 300);
});
</script>`;
  const docs = createServer((req, res) => {
    if (req.url.startsWith("/my_read_field.bpf.o")) {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      return res.end(sample);
    }
    res.writeHead(200, { "content-type": "text/html" });
    res.end(host);
  });
  await new Promise((r) => docs.listen(0, "localhost", r));
  docsOrigin = `http://localhost:${docs.address().port}`;
  assert(docsOrigin !== origin, "another origin");
  const p = await ctx.newPage();
  try {
    await p.goto(`${docsOrigin}/post.html`);
    await p.waitForFunction(() => window.got.some((m) => m.type === "corelab:ready"), null, { timeout: 60_000 });
    const got = await p.evaluate(() => window.got);
    const types = got.map((m) => `${m.type}:${m.name ?? ""}`);
    assert(types[0] === "corelab:hello:", types.join(", "));
    const refused = got.find((m) => m.type === "corelab:error" && m.name === "x.js");
    assert(refused && /kind must be "object" or "btf"/.test(refused.message), JSON.stringify(got));
    const bad = got.find((m) => m.type === "corelab:error" && m.name === "notes.txt");
    assert(bad && /notes\.txt/.test(bad.message), JSON.stringify(got));
    const ready = got.find((m) => m.type === "corelab:ready");
    assert(ready.kind === "object" && ready.name === "my_read_field.bpf.o", JSON.stringify(ready));
    const frame = p.frameLocator("#corelab-embed");
    await frame.locator("#embed tr.rrow").first().waitFor({ timeout: TIMEOUT });
    const rows = await frame.locator("#embed tr.rrow").allInnerTexts();
    assert(rows.length >= 1 && rows.some((r) => /task_struct\.pid/.test(r) && /patched/.test(r)), rows.join(" | "));
    assert((await frame.locator(".embed-bar").innerText()).includes("my_read_field.bpf.o"), "the posted file's name");
    await shot("37-embed-posted-object", p);
    // A page that missed the greeting asks for it again.
    await p.evaluate((o) => document.getElementById("corelab-embed").contentWindow.postMessage({ type: "corelab:hello" }, o), origin);
    await p.waitForFunction(() => window.got.filter((m) => m.type === "corelab:hello").length === 2, null, { timeout: TIMEOUT });
  } finally {
    await p.close();
    docs.close();
  }
});

await test("nothing left localhost and the CSP held", async () => {
  // (The documentation page of the postMessage test is another origin by design.)
  const foreign = requests.filter((u) => !u.startsWith(origin) && !u.startsWith("data:") && !u.startsWith("blob:") && !(docsOrigin && u.startsWith(docsOrigin)));
  assert(requests.length > 10, `only ${requests.length} requests seen`);
  assert(foreign.length === 0, `requests to other origins: ${foreign.join(", ")}`);
  const csp = await page.evaluate(() => window.__csp);
  assert(csp.length === 0, `CSP violations: ${csp.join("; ")}`);
  const resp = await page.request.get(`${base}app_bg.wasm`);
  assert(resp.headers()["content-type"] === "application/wasm", "wasm MIME type");
  assert(/wasm-unsafe-eval/.test(resp.headers()["content-security-policy"] ?? ""), "CSP header served");
  const bad = problems.filter((p) => !/notes\.txt/.test(p));
  assert(bad.length === 0, bad.join("\n"));
});

await test("a new build's service worker drops what it no longer serves from its caches, and only its own", async () => {
  // A profile of its own: the service worker must activate after the cache is filled.
  const swProfile = mkdtempSync(join(tmpdir(), "corelab-e2e-sw-"));
  const swCtx = await chromium.launchPersistentContext(swProfile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
  });
  try {
    const p = swCtx.pages()[0] ?? (await swCtx.newPage());
    const [version] = readdirSync(join(dist, "catalog/s"));
    const current = [`catalog/s/${version}/0.bin`, `kernels/${K61}.btf.gz`, "docs/kernels/old.btf.gz", "docs/catalog/s/0000000000000000/0.bin"];
    const stale = ["catalog/s/0000000000000000/0.bin", "kernels/debian9-4.9.0-1-amd64.btf.gz"];
    // As a visit of an older build left them (no service worker on this page yet).
    await p.goto(`${base}?nosw`);
    await p.evaluate(async (paths) => {
      const cache = await caches.open("corelab-kernels-v1");
      for (const path of paths) await cache.put(new URL(path, location.href).href, new Response("cached"));
    }, [...current, ...stale]);
    // Shells: an older build of this site (named by its scope, and before that by its build
    // alone), and another deployment's under a sub-path of the same origin.
    const scope = new URL(base).pathname;
    const otherShell = `corelab-shell-${scope}docs/-0123456789ab`;
    const staleShells = [`corelab-shell-${scope}-0123456789ab`, "corelab-shell-0123456789ab"];
    await p.evaluate(async (names) => {
      for (const n of names) await (await caches.open(n)).put(new URL("index.html", location.href).href, new Response("old"));
    }, [otherShell, ...staleShells]);
    await p.goto(base);
    await p.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: TIMEOUT });
    const kept = await p.evaluate(async () => {
      const cache = await caches.open("corelab-kernels-v1");
      return (await cache.keys()).map((r) => new URL(r.url).pathname.slice(1));
    });
    for (const path of current) assert(kept.includes(path), `${path} was dropped (kept: ${kept.join(", ")})`);
    for (const path of stale) assert(!kept.includes(path), `${path} is still cached`);
    const shells = await p.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith("corelab-shell-")));
    assert(shells.includes(otherShell), `the other deployment's shell was dropped: ${shells.join(", ")}`);
    for (const n of staleShells) assert(!shells.includes(n), `${n} is still cached`);
    assert(shells.some((n) => n.startsWith(`corelab-shell-${scope}-`) && !staleShells.includes(n)), `no shell of this build: ${shells.join(", ")}`);
  } finally {
    await swCtx.close();
    rmSync(swProfile, { recursive: true, force: true });
  }
});

await test("a browser that cannot compile the app is told why, not left with an empty page", async () => {
  const bootProfile = mkdtempSync(join(tmpdir(), "corelab-e2e-boot-"));
  const bootCtx = await chromium.launchPersistentContext(bootProfile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    serviceWorkers: "block",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
  });
  try {
    const p = bootCtx.pages()[0] ?? (await bootCtx.newPage());
    // What an old browser meets: a module it cannot compile.
    await p.route("**/app_bg.wasm", (r) => r.fulfill({ status: 200, contentType: "application/wasm", body: Buffer.from("\0asm\x01\0\0\0\xff") }));
    await p.goto(`${base}?nosw`);
    const msg = await p.locator("#boot-error").innerText({ timeout: TIMEOUT });
    assert(/could not start in this browser: .+\. It needs WebAssembly with SIMD/.test(msg), msg);
  } finally {
    await bootCtx.close();
    rmSync(bootProfile, { recursive: true, force: true });
  }
});

await test("works offline once loaded (service worker)", async () => {
  await page.goto(`${base}?kernel=${K61}`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  // Load once more under the worker's control, so the kernel goes through its cache.
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: TIMEOUT });
  await page.locator("#summary").waitFor({ timeout: TIMEOUT });
  srv.kill();
  await new Promise((r) => setTimeout(r, 200));
  await page.goto(`${base}?kernel=${K61}&type=mm_struct`);
  await page.locator('#type-detail h1:text-is("mm_struct")').waitFor({ timeout: TIMEOUT });
});

console.log(`     bundled 6.1 kernel: click to summary ${loadMs} ms`);
if (relocMs !== null) console.log(`     tcpstates.o against 6.18 in the worker: ${relocMs} ms`);
if (headerMs !== null) console.log(`     6.18 vmlinux.h: header tab to first rendered lines ${headerMs} ms`);
console.log(`     screenshots in ${out}`);
await ctx.close();
srv.kill();
rmSync(profile, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
