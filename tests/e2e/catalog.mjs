// End-to-end tests of the kernel catalogue in the playground (Debian's Chromium driven by
// playwright-core, the site served by scripts/serve.py with the production headers): pick
// an arm64 build by searching, its URL round-trips, a build costs only its own segments,
// bad segments give an error naming the build and the page stays usable; the Matrix swept
// over a catalogue selection equals `corelab matrix` on the same builds (the CLI is run
// here: $CORELAB_CLI, else target/release or target/debug's, else built), and a corrupt
// segment mid-sweep fails that build's column alone.
//
//   node tests/e2e/catalog.mjs [--dist dist]
//
// Screenshots go to tests/e2e/out/catalog-*.png. Prints `N passed, N failed`.

import { chromium } from "playwright-core";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const dist = resolve(root, process.argv.includes("--dist") ? process.argv[process.argv.indexOf("--dist") + 1] : "dist");
const out = join(root, "tests/e2e/out");
const TIMEOUT = 30_000;
mkdirSync(out, { recursive: true });

const srv = spawn("python3", [join(root, "scripts/serve.py"), "--dir", dist, "--port", "0"], {
  stdio: ["ignore", "pipe", "inherit"],
});
const base = await new Promise((res, rej) => {
  srv.stdout.on("data", (d) => {
    const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(d.toString());
    if (m) res(m[0]);
  });
  srv.on("exit", (code) => rej(new Error(`serve.py exited with ${code}`)));
});
const profile = mkdtempSync(join(tmpdir(), "corelab-e2e-catalog-"));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1280, height: 800 },
  serviceWorkers: "block", // every fetch is seen and can be routed
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = ctx.pages()[0] ?? (await ctx.newPage());
const problems = [];
page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
// Bytes of every catalogue file fetched.
const fetched = [];
page.on("response", async (r) => {
  if (!r.url().includes("/catalog/")) return;
  const body = await r.body().catch(() => null);
  fetched.push({ url: r.url(), bytes: body ? body.length : 0 });
});

let passed = 0;
let failed = 0;
async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message.split("\n").slice(0, 6).join("\n     ")}`);
    await page.screenshot({ path: join(out, `catalog-fail-${name.replace(/\W+/g, "-")}.png`) }).catch(() => {});
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
const shot = (name, p = page) => p.screenshot({ path: join(out, `catalog-${name}.png`) });
const text = (sel, p = page) => p.locator(sel).first().innerText({ timeout: TIMEOUT });

const ARM = "debian12-6.1.0-50-arm64";

await test("the catalogue picker searches and filters builds", async () => {
  await page.goto(base);
  await page.locator(".welcome").waitFor({ timeout: TIMEOUT });
  await page.locator("#catalog-open").click();
  await page.locator(".catalog-build").first().waitFor({ timeout: TIMEOUT });
  const all = await page.locator(".catalog-build").count();
  assert(all >= 100, `${all} builds listed`);
  await page.locator("#catalog-search").fill("arm64 6.1");
  await page.locator(`.catalog-build[data-build="${ARM}"]`).waitFor({ timeout: TIMEOUT });
  const names = await page.locator(".catalog-build .cb-name").allInnerTexts();
  assert(names.length > 3 && names.length < all, `${names.length} of ${all} match`);
  assert(names.every((n) => /-6\.1\.0-.*arm64$/.test(n)), `matches: ${names.join(", ")}`);
  // A chip toggles its word: `bookworm` narrows, clicking it again widens.
  await page.locator('.chip[data-chip="bookworm"]').click();
  assert((await page.locator("#catalog-search").inputValue()) === "arm64 6.1 bookworm", "chip adds its word");
  await page.locator('.chip[data-chip="bookworm"]').click();
  assert((await page.locator("#catalog-search").inputValue()) === "arm64 6.1", "chip removes its word");
  await shot("1-picker");
});

let pickMs = 0;
await test("picking an arm64 build loads it from its own segments only", async () => {
  fetched.length = 0;
  const t0 = Date.now();
  await page.locator(`.catalog-build[data-build="${ARM}"]`).click();
  await page.locator("#summary").waitFor({ timeout: TIMEOUT });
  pickMs = Date.now() - t0;
  const summary = await text("#summary");
  assert(summary.includes(`@${ARM}`), "label");
  assert(/catalogue build \(rebuilt from \d+ segments?/.test(summary), `layers: ${summary.slice(0, 300)}`);
  assert(/aarch64|arm64|little-endian/.test(summary), "arm64 build");
  assert(page.url().includes(`kernel=%40${ARM}`) || page.url().includes(`kernel=@${ARM}`), `URL: ${page.url()}`);
  const bytes = fetched.filter((f) => f.url.includes("/catalog/s/")).reduce((a, f) => a + f.bytes, 0);
  assert(bytes > 100_000 && bytes <= 2_000_000, `${bytes} bytes of segments`);
  console.log(`     ${ARM}: pick to summary ${pickMs} ms, ${fetched.length} files, ${bytes} bytes of segments`);
  await shot("2-arm64-summary");
});

await test("every view works on the build, and its URL round-trips", async () => {
  await page.locator('button.tab[data-view="types"]').click();
  await page.locator("#search").fill("task_struct");
  await page.locator('.trow .tname:text-is("task_struct")').first().click();
  await page.locator('#type-detail h1:text-is("task_struct")').waitFor({ timeout: TIMEOUT });
  const url = page.url();
  const again = await ctx.newPage();
  await again.goto(url);
  await again.locator('#type-detail h1:text-is("task_struct")').waitFor({ timeout: TIMEOUT });
  assert((await again.locator("#kernel-select").inputValue()) === `@${ARM}`, "the picker names the build");
  await shot("3-reopened", again);
  await again.close();
});

await test("a corrupt segment names the build and offset; the page stays usable", async () => {
  const other = "debian12-6.1.0-49-arm64";
  await page.route("**/catalog/s/**", async (route) => {
    const resp = await route.fetch();
    const body = await resp.body();
    const bad = Buffer.from(body);
    bad[bad.length >> 1] ^= 0x5a;
    await route.fulfill({ response: resp, body: bad });
  });
  await page.locator("#catalog-open").click();
  await page.locator("#catalog-search").fill(other);
  await page.locator(`.catalog-build[data-build="${other}"]`).click();
  const err = page.locator(".error-banner, [role=alert]").first();
  await err.waitFor({ timeout: TIMEOUT });
  const msg = await err.innerText();
  assert(msg.includes(other) && /offset 0x[0-9a-f]+/.test(msg), `error: ${msg}`);
  await shot("4-corrupt");
  await page.unroute("**/catalog/s/**");
  // Still usable: the same build loads once the bytes are right.
  await page.locator("#catalog-open").click();
  await page.locator("#catalog-search").fill(other);
  await page.locator(`.catalog-build[data-build="${other}"]`).click();
  await page.waitForFunction((v) => document.querySelector("#kernel-select")?.value === v, `@${other}`, { timeout: TIMEOUT });
  await page.locator('button.tab[data-view="summary"]').click();
  await page.locator(`#summary:has-text("@${other}")`).waitFor({ timeout: TIMEOUT });
});

let whereMs = 0;
await test("where is a field that moved: runs over every build, then the chart", async () => {
  await page.locator('button.tab[data-view="where"]').click();
  await page.locator("#where-path").fill("task_struct.__state");
  const t0 = Date.now();
  await page.locator("#where-ask").click();
  await page.locator("#where-summary").waitFor({ timeout: TIMEOUT });
  whereMs = Date.now() - t0;
  const summary = await text("#where-summary");
  const m = /in (\d+) of (\d+) builds, (\d+) distinct answers, (\d+) runs/.exec(summary);
  assert(m, summary);
  const [present, all, answers] = [+m[1], +m[2], +m[3]];
  // 5.10 calls it `state`: bullseye's builds lack `__state`; its offset differs by architecture.
  assert(present > 50 && present < all && answers >= 2, summary);
  assert(page.url().includes("where=task_struct.__state"), page.url());
  const rows = await page.locator("#where-table .where-run").count();
  assert(rows === +m[4], `${rows} rows for ${m[4]} runs`);
  assert((await text("#where-table")).includes("offset "), "offsets shown");
  const shards = fetched.filter((f) => /\/catalog\/s\//.test(f.url)).length;
  console.log(`     where task_struct.__state over ${all} builds: ${whereMs} ms (${summary})`);
  await shot("5-where-runs");
  await page.locator("#where-show-chart").click();
  await page.locator("#where-chart rect.bar").first().waitFor({ timeout: TIMEOUT });
  const bars = await page.locator("#where-chart rect.bar").count();
  assert(bars === rows, `${bars} bars for ${rows} runs`);
  await shot("6-where-chart");
  // A build named in the runs opens as the kernel, at the question's type.
  await page.locator("#where-show-runs").click();
  const riscv = page.locator('#where-table button[data-build*="riscv64"]').first();
  const build = await riscv.getAttribute("data-build");
  await riscv.click();
  await page.locator('#type-detail h1:text-is("task_struct")').waitFor({ timeout: TIMEOUT });
  assert((await page.locator("#kernel-select").inputValue()) === `@${build}`, `opened ${build}`);
  assert((await text("#type-detail")).includes("'__state'"), "its __state");
  await page.goBack();
  await page.locator("#where-summary").waitFor({ timeout: TIMEOUT });
  // Through a by-value member into another type (maybe another shard), from the URL.
  await page.goto(`${base}?view=where&where=task_struct.se.vruntime`);
  await page.locator("#where-summary").waitFor({ timeout: TIMEOUT });
  assert(/in \d+ of \d+ builds/.test(await text("#where-summary")), await text("#where-summary"));
  assert(shards >= 0);
});

await test("the picker and the chart on a phone, in the dark", async () => {
  const phone = await ctx.newPage();
  phone.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.emulateMedia({ colorScheme: "dark" });
  await phone.goto(base);
  await phone.locator("#catalog-browse").click();
  await phone.locator("#catalog-search").fill("riscv64");
  await phone.locator(".catalog-build").first().waitFor({ timeout: TIMEOUT });
  let overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `picker wider than the phone by ${overflow}px`);
  await shot("7-phone-picker-dark", phone);
  await phone.goto(`${base}?view=where&where=sk_buff.tstamp`);
  await phone.locator("#where-summary").waitFor({ timeout: TIMEOUT });
  await phone.locator("#where-show-chart").click();
  await phone.locator("#where-chart rect.bar").first().waitFor({ timeout: TIMEOUT });
  overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `chart wider than the phone by ${overflow}px`);
  await shot("8-phone-chart-dark", phone);
  await phone.close();
});


// The native CLI, for figures computed at test time (never the page's own).
function cli() {
  const target = process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, "target");
  const found = [process.env.CORELAB_CLI, join(target, "release/corelab"), join(target, "debug/corelab")]
    .filter(Boolean)
    .find((p) => existsSync(p));
  if (found) return found;
  execFileSync("cargo", ["build", "-p", "corelab-cli", "--locked"], { cwd: root, stdio: "inherit" });
  return join(target, "debug/corelab");
}
function cliMatrix(sample, selection) {
  const lines = execFileSync(cli(), ["matrix", "--json", join(root, `www/samples/${sample}.bpf.o`), `@${selection}`], {
    cwd: root,
    maxBuffer: 1 << 26,
  })
    .toString()
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  return {
    kernels: lines.find((l) => l.type === "kernels").kernels,
    progs: lines.filter((l) => l.type === "prog"),
    relos: lines.filter((l) => l.type === "relo"),
  };
}
const swept = (p = page) =>
  p.waitForFunction(() => {
    const e = document.querySelector("#sweep-progress");
    return e && e.dataset.total !== "0" && e.dataset.done === e.dataset.total;
  }, null, { timeout: 120_000 });

// The swept Matrix on page `p` equals `want` (cliMatrix), column for column and cell for cell.
async function sameMatrix(p, want) {
  const heads = await p.locator("#matrix-programs th.kcol").evaluateAll((ths) => ths.map((t) => t.title));
  assert(JSON.stringify(heads) === JSON.stringify(want.kernels), `columns ${heads} vs the CLI's ${want.kernels}`);
  for (const pr of want.progs) {
    const got = await p
      .locator(`#matrix-programs tr[data-prog="${pr.prog}"] td.mcell`)
      .evaluateAll((tds) => tds.map((t) => [...t.classList].find((c) => c.startsWith("v-")).slice(2)));
    const exp = pr.cells.map((c) => c.verdict);
    assert(JSON.stringify(got) === JSON.stringify(exp), `${pr.prog}: ${got} vs ${exp}`);
  }
  for (const [i, r] of want.relos.entries()) {
    const got = await p
      .locator(`#matrix-relocs tr[data-relo="${i}"] td.mcell`)
      .evaluateAll((tds) => tds.map((t) => [[...t.classList].find((c) => c.startsWith("o-")).slice(2), t.innerText.trim()]));
    const exp = r.cells.map((c) => [c.outcome, c.outcome === "patched" ? String(c.value) : null]);
    assert(got.length === exp.length, `relo ${i}: ${got.length} cells`);
    for (const [k, [o, v]] of exp.entries()) {
      assert(got[k][0] === o && (v === null || got[k][1] === v), `relo ${i} on ${want.kernels[k]}: ${got[k]} vs ${o} ${v}`);
    }
  }
}

await test("the matrix of a sample over @bookworm/ppc64el equals corelab matrix, build by build", async () => {
  const SEL = "bookworm/ppc64el";
  const want = cliMatrix("10_guarding", SEL);
  await page.goto(`${base}?obj=10_guarding&view=matrix`);
  await page.locator("#matrix-programs").waitFor({ timeout: TIMEOUT });
  await page.locator("#sweep-selection").fill(`@${SEL}`);
  await page.locator("#sweep-go").click();
  await swept();
  assert(page.url().includes("sel=bookworm%2Fppc64el"), page.url());
  await sameMatrix(page, want);
  const progress = await page.locator("#sweep-progress").evaluate((e) => ({ ...e.dataset }));
  console.log(`     @${SEL}: ${progress.total} builds in ${progress.wall} ms (rebuild ${progress.rebuild}, parse ${progress.parse}, relocate+guard ${progress.work}, waiting for segments ${progress.stall} ms, ${progress.bytes} bytes)`);
  await shot("9-matrix-sweep");
  // Identical neighbours grouped: every column here answers alike.
  await page.locator("#sweep-group").check();
  const groups = await page.locator("#matrix-programs th.kcol").evaluateAll((ths) => ths.map((t) => [t.dataset.first, t.dataset.last]));
  assert(groups.length < want.kernels.length, `grouped: ${JSON.stringify(groups)}`);
  assert(groups[0][0] === "0" && groups.at(-1)[1] === String(want.kernels.length - 1), JSON.stringify(groups));
  await shot("10-matrix-sweep-grouped");
  // The URL reopens the same sweep.
  const again = await ctx.newPage();
  again.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await again.goto(page.url());
  await swept(again);
  const heads2 = await again.locator("#matrix-programs th.kcol").evaluateAll((ths) => ths.map((t) => t.title));
  assert(JSON.stringify(heads2) === JSON.stringify(want.kernels), `reopened: ${heads2}`);
  await again.close();
  // An embed of the same URL sweeps the same builds.
  const embed = await ctx.newPage();
  embed.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await embed.goto(`${base}?embed=matrix&obj=10_guarding&sel=${encodeURIComponent(SEL)}`);
  await swept(embed);
  const heads3 = await embed.locator("#embed #matrix-programs th.kcol").evaluateAll((ths) => ths.map((t) => t.title));
  assert(JSON.stringify(heads3) === JSON.stringify(want.kernels), `embed: ${heads3}`);
  await embed.close();
  // On a machine of four cores the sweep runs on four engine workers, each taking whole
  // reference chains (@bullseye has two: amd64 and arm64); the table is the same.
  const pool = await ctx.newPage();
  pool.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await pool.addInitScript(() => Object.defineProperty(navigator, "hardwareConcurrency", { get: () => 4 }));
  await pool.goto(`${base}?obj=10_guarding&view=matrix&sel=bullseye`);
  await swept(pool);
  // A column per build (a table this wide groups identical neighbours by default).
  await pool.locator("#sweep-group").uncheck();
  await sameMatrix(pool, cliMatrix("10_guarding", "bullseye"));
  // The main engine and three helpers.
  assert(pool.workers().length === 4, `${pool.workers().length} workers`);
  await pool.close();
  // Back to the bundled kernels.
  await page.locator(".sweep-bar .chip", { hasText: "bundled" }).click();
  await page.locator("#matrix-programs th.kcol").first().waitFor({ timeout: TIMEOUT });
  assert(!page.url().includes("sel="), page.url());
});

await test("a corrupt segment mid-sweep fails that build's column, naming it and the offset; the sweep goes on", async () => {
  const SEL = "trixie/s390x";
  const want = cliMatrix("10_guarding", SEL);
  let damaged = null;
  await page.route("**/catalog/s/**", async (route) => {
    const resp = await route.fetch();
    const body = await resp.body();
    // One build's own delta is damaged on the server, every fetch of it: the first segment
    // small enough to be a delta (a chain's reference is a whole BTF, ~1 MB zstd'd; a delta
    // against it is a few KB). Damaging a reference would fail its whole chain, and with no
    // build answered there is no table to count columns in (which order the segments are
    // fetched in depends on the workers, so "the n-th fetch" sometimes was the reference).
    if (damaged === null && body.length < 256 << 10) damaged = route.request().url();
    if (route.request().url() !== damaged) return route.fulfill({ response: resp, body });
    const bad = Buffer.from(body);
    bad[bad.length >> 1] ^= 0x5a;
    await route.fulfill({ response: resp, body: bad });
  });
  await page.goto(`${base}?obj=10_guarding&view=matrix&sel=${encodeURIComponent(SEL)}`);
  await swept();
  await page.unroute("**/catalog/s/**");
  // The progress line and the table are painted from the same state, but a loaded machine
  // once showed the count done before the table's columns: wait for them (a sweep that
  // never shows them still fails here).
  await page.waitForFunction((n) => document.querySelectorAll("#matrix-programs th.kcol").length === n, want.kernels.length, { timeout: 10_000 }).catch(() => {});
  const errs = await text("#sweep-errors");
  assert(/catalogue build debian\d+-\S+/.test(errs) && /offset 0x[0-9a-f]+/.test(errs), `errors: ${errs}`);
  const failed = await page.locator("#matrix-programs th.kcol.failed").count();
  const ok = await page.locator("#matrix-programs th.kcol:not(.failed)").count();
  assert(failed === 1 && failed + ok === want.kernels.length, `${failed} failed, ${ok} answered of ${want.kernels.length}`);
  await shot("11-matrix-sweep-corrupt");
});

await test("Ask across @bullseye/arm64: the verdict and the checked fix corelab access gives", async () => {
  const SEL = "bullseye/arm64";
  const K61 = "debian12-6.1.0-50-amd64";
  const Q = "struct task_struct *t; t->__state";
  const lines = execFileSync(cli(), ["access", "--json", "--local", join(root, `tests/data/btf/${K61}.btf.gz`), "-t", `@${SEL}`, Q], { cwd: root })
    .toString().trim().split("\n").map((l) => JSON.parse(l));
  const verdict = lines.find((l) => l.type === "verdict");
  const fix = lines.find((l) => l.type === "fix");
  const runs = lines.find((l) => l.type === "answer").runs;
  await page.goto(`${base}?kernel=${K61}&area=ask&q=${encodeURIComponent(Q)}&sel=${encodeURIComponent(SEL)}`);
  await page.waitForFunction(() => document.querySelector("#sweep-progress")?.dataset.finished === "true", null, { timeout: 120_000 });
  const v = await text("#ask-verdict");
  assert(v.includes(verdict.text), `verdict: ${v} vs the CLI's ${verdict.text}`);
  const snippet = await text("#ask-fix pre");
  assert(snippet.trim() === fix.snippet.trim(), `fix:\n${snippet}\nvs the CLI's\n${fix.snippet}`);
  const status = await text("#ask-fix h3");
  assert(fix.checked && status.includes("checked: every kernel above loads it"), `fix status: ${status}`);
  // One row per run of builds answering alike, as the CLI's runs (one record here).
  const rows = await page.locator("#ask-across tr.across-row").count();
  assert(rows === runs.length, `${rows} rows for the CLI's ${runs.length} runs`);
  assert(page.url().includes("sel=bullseye%2Farm64"), page.url());
  await shot("12-ask-sweep");
});

await test("Ask across @all from the where-index: the table is corelab access's, run for run", async () => {
  const SEL = "all";
  const K61 = "debian12-6.1.0-50-amd64";
  // A field every build has, at offsets that differ across series, architectures and
  // flavours: the index answers every build, nothing is rebuilt.
  const Q = "struct task_struct *t; t->pid";
  const lines = execFileSync(cli(), ["access", "--json", "--local", join(root, `tests/data/btf/${K61}.btf.gz`), "-t", `@${SEL}`, Q], { cwd: root, maxBuffer: 64 << 20 })
    .toString().trim().split("\n").map((l) => JSON.parse(l));
  const verdict = lines.find((l) => l.type === "verdict");
  const runs = lines.find((l) => l.type === "answer").runs;
  const started = Date.now();
  await page.goto(`${base}?kernel=${K61}&area=ask&q=${encodeURIComponent(Q)}&sel=${encodeURIComponent(SEL)}`);
  await page.waitForFunction(() => document.querySelector("#sweep-progress")?.dataset.finished === "true", null, { timeout: 120_000 });
  const ms = Date.now() - started;
  const v = await text("#ask-verdict");
  assert(v.includes(verdict.text), `verdict: ${v} vs the CLI's ${verdict.text}`);
  const rows = page.locator("#ask-across tr.across-row");
  const n = await rows.count();
  assert(n === runs.length && n > 1, `${n} rows for the CLI's ${runs.length} runs`);
  const words = (r) => [r.exists === true ? "exists" : r.exists === false ? "missing" : null,
    r.offset != null ? `offset ${r.offset}` : null, r.size != null ? `size ${r.size}` : null,
    r.value != null ? `value ${r.value}` : null].filter(Boolean).join("  ");
  for (let i = 0; i < n; i++) {
    const cell = await rows.nth(i).locator("td").nth(1).textContent();
    const label = await rows.nth(i).locator("td").first().getAttribute("title");
    const want = words(runs[i]);
    assert(cell.includes(want) && cell.includes(runs[i].outcome), `row ${i}: ${cell} vs the CLI's ${want} ${runs[i].outcome}`);
    const first = runs[i].kernels[0].replace(/^@/, "");
    const last = runs[i].kernels[runs[i].kernels.length - 1].replace(/^@/, "");
    assert(label.includes(first) && label.includes(last), `row ${i}: ${label} vs the CLI's ${first} .. ${last}`);
  }
  console.log(`    (Ask over @all answered in ${ms} ms, page load included)`);
  await shot("13-ask-sweep-index");
});

await test("no page errors", async () => {
  assert(problems.length === 0, problems.join("\n"));
});

await ctx.close();
srv.kill();
rmSync(profile, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
