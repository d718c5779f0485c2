#!/usr/bin/env python3
"""The guard simulation against the kernel verifier, beyond guard-compare.py's three figures.

usage: compare.py VERDICT_DIR GUARD_DIR [--list N]

For every OBJ__TARGET.jsonl pair, every program the verifier judged (`loaded`,
`rejected_poison`, `rejected_other`):
  verdicts        corelab's verdict against the verifier's, as guard-compare.py counts them
                  (programs the verifier loaded or rejected for a poison), plus a table of
                  (verifier, corelab) verdict pairs over all judged programs
  unsound         loaded programs where corelab calls dead an instruction the verifier walked
  live exact      loaded programs whose live sets are equal function by function
  undecided       programs corelab leaves `undecided` although the verifier decided them
  steps           corelab's simulated instructions (`steps`) / the verifier's
                  `processed_insns`, for loaded programs (where the verifier's count is the
                  whole walk): worst, median, how many exceed 10x
  time            corelab's wall time per pair (GUARD_DIR/*.us, written by run.sh)
"""
import collections
import json
import os
import statistics
import sys


def ranges(s):
    out = set()
    for part in (s or "").split(","):
        part = part.strip()
        if part:
            a, _, b = part.partition("-")
            out.update(range(int(a), int(b or a) + 1))
    return out


def progs(path):
    out = {}
    try:
        with open(path) as f:
            for line in f:
                try:
                    r = json.loads(line)
                except ValueError:
                    continue
                if r.get("type") == "prog":
                    out[r.get("prog")] = r
    except OSError:
        pass
    return out


def main(argv):
    listn = 20
    if "--list" in argv:
        i = argv.index("--list")
        listn = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    vdir, gdir = argv[0], argv[1]
    pairs = collections.Counter()
    agree = total = loaded = exact = unsound = undecided = judged = 0
    ratios = []
    notes = collections.defaultdict(list)
    times = []
    for n in sorted(os.listdir(vdir)):
        if not n.endswith(".jsonl"):
            continue
        name = n[:-6]
        exp, act = progs(os.path.join(vdir, n)), progs(os.path.join(gdir, n))
        try:
            times.append(int(open(os.path.join(gdir, name + ".us")).read()))
        except (OSError, ValueError):
            pass
        for prog, e in exp.items():
            v = e.get("verdict")
            if v not in ("loaded", "rejected_poison", "rejected_other"):
                continue
            judged += 1
            a = act.get(prog) or {}
            av = a.get("verdict", "missing")
            pairs[(v, av)] += 1
            if av == "undecided":
                undecided += 1
                notes["undecided"].append(f"{name} {prog}: verifier {v} ({e.get('processed_insns')} insns), {a.get('reason')}")
            if v == "rejected_other":
                continue
            total += 1
            if av == v:
                agree += 1
            else:
                notes["verdict"].append(f"{name} {prog}: verifier {v}, corelab {av} {a.get('reason') or ''}")
            if v != "loaded":
                continue
            loaded += 1
            ev = {f["name"]: ranges(f.get("visited")) for f in e.get("funcs") or []}
            gv = {f["name"]: ranges(f.get("visited")) for f in a.get("funcs") or []}
            if ev == gv:
                exact += 1
            else:
                missing = {f: sorted(ev[f] - gv.get(f, set())) for f in ev if ev[f] - gv.get(f, set())}
                extra = {f: sorted(gv.get(f, set()) - ev[f]) for f in ev if gv.get(f, set()) - ev[f]}
                if missing:
                    unsound += 1
                    notes["unsound"].append(f"{name} {prog}: walked by the verifier, dead for corelab: {short(missing)}")
                else:
                    notes["inexact"].append(f"{name} {prog}: live for corelab, dead for the verifier: {short(extra)}")
            p, s = e.get("processed_insns") or -1, a.get("steps")
            if p > 0 and isinstance(s, int):
                ratios.append((s / p, s, p, f"{name} {prog}"))
    for k in ("verdict", "unsound", "undecided", "inexact"):
        if notes[k]:
            print(f"-- {k} ({len(notes[k])})")
            for line in notes[k][:listn]:
                print("  " + line)
    print("-- verdict pairs over all judged programs (verifier -> corelab)")
    for (v, a), c in sorted(pairs.items()):
        print(f"  {v:16} -> {a:16} {c}")
    ratios.sort(reverse=True)
    print("-- steps / verifier's processed instructions (loaded programs), worst first")
    for r, s, p, what in ratios[:listn]:
        print(f"  {r:6.2f}x  {s:>8} / {p:<8} {what}")
    print(f"guard verdict agree {agree}/{total}; live sets exact {exact}/{loaded}; unsound {unsound}")
    if ratios:
        over = sum(1 for r in ratios if r[0] > 10)
        print(f"undecided where the verifier decided {undecided}/{judged}; steps/processed: "
              f"worst {ratios[0][0]:.2f}x, median {statistics.median(r[0] for r in ratios):.2f}x, "
              f"over 10x {over}/{len(ratios)}")
    if times:
        times.sort()
        print(f"corelab guard wall time per pair: median {times[len(times) // 2] / 1000:.1f} ms, "
              f"worst {times[-1] / 1000:.1f} ms, total {sum(times) / 1e6:.1f} s over {len(times)} pairs")


def short(d):
    parts = []
    for f, idx in d.items():
        rs, start, prev = [], None, None
        for i in idx:
            if start is None:
                start = prev = i
            elif i == prev + 1:
                prev = i
            else:
                rs.append(f"{start}-{prev}" if prev != start else f"{start}")
                start = prev = i
        if start is not None:
            rs.append(f"{start}-{prev}" if prev != start else f"{start}")
        parts.append(f"{f}[{','.join(rs[:6])}{',...' if len(rs) > 6 else ''}]")
    return " ".join(parts)


if __name__ == "__main__":
    main(sys.argv[1:])
