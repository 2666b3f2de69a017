"""`python -m bound_demo.bench_real.report`: docs/performance.md and its charts from the JSON.

The page is generated, never edited by hand: rerun the benchmark, then this, and commit both.
"""
import argparse
import json
from pathlib import Path

from ..versions import PATCH
from . import charts, reading, thread_scaling
from .claims import CLAIMS, saving
from .workloads import POOL_LOADS

REPO = Path(__file__).resolve().parents[2]


def fmt_ratio(r):
    return "—" if r is None else f"{r['median']:.2f}× ({r['q1']:.2f}–{r['q3']:.2f})"


def fmt_saving(r):
    return "—" if r is None else f"{saving(r['median']) * 100:+.0f}%"


def machine_section(d):
    m = d["machine"]
    pyo3 = ", ".join(f"{v}" for v in m["pyo3"].values())
    return "\n".join([
        "| | |", "|---|---|",
        f"| CPU | {m['cpu_model']}, {m['cores']} cores (shared with other builds) |",
        f"| Platform | {m['platform']} |",
        f"| Python | {m['python_implementation']} {m['python']} |",
        f"| PyO3 | {pyo3} (release builds, `codegen-units = 1`, thin LTO) |",
        f"| Rust | {m['rustc'] or 'unknown'} |",
        f"| Date | {m['date_utc']} |",
        f"| Load average (1, 5, 15 min) | start {m['load_at_start']}, after timing "
        f"{m['load_after_timing']}, end {m['load_at_end']} |",
        f"| Mode | `{d['mode']}`: {d['settings']['rounds']} rounds, n = {d['settings']['n']} "
        f"per call, total run {d['elapsed_s']} s |",
    ])


def _ir_ratio(d, name, rid):
    v = reading.ir_part(d, "ratios").get(name, {}).get(rid)
    return "—" if v is None else f"{v:.2f}×"


def time_table(d):
    cols = ("0.20/gil_refs", "0.21/gil_refs", "0.21/bound", "0.29/bound", "0.21/borrowed")
    out = ["| Workload | 0.20.3 GIL Refs | 0.21.2 GIL Refs | 0.21.2 Bound | 0.29.3 Bound | "
           "0.21.2 Borrowed | GIL Refs / Bound (0.21.2) | time saved | same, in instructions |",
           "|---|---|---|---|---|---|---|---|---|"]
    for w in d["workloads"]:
        if w["name"] in POOL_LOADS:
            continue
        by = {s["key"]: s["ns_per_iter"] for s in w["series"]}
        cells = [f"{by[c]['median']:.1f} ±{by[c]['iqr'] / 2:.1f}" if c in by else "—" for c in cols]
        r = w["ratios"].get("same_build")
        out.append(f"| {w['title']} | " + " | ".join(cells) + f" | {fmt_ratio(r)} | {fmt_saving(r)} "
                   f"| {_ir_ratio(d, w['name'], 'same_build')} |")
    out.append("")
    out.append("Cells are median nanoseconds per iteration ± half the interquartile range. The "
               "ratio is the median of per-round ratios, with its interquartile range. The last "
               "column counts instructions under callgrind instead of time: it does not depend on "
               "the machine's load, and it does not see cache misses.")
    return "\n".join(out)


def cross_table(d):
    out = ["| Workload | 0.20.3 GIL Refs / 0.21.2 Bound | time saved | 0.20.3 GIL Refs / 0.29.3 Bound "
           "| time saved | 0.21.2 GIL Refs / 0.20.3 GIL Refs |", "|---|---|---|---|---|---|"]
    for w in d["workloads"]:
        if w["name"] in POOL_LOADS:
            continue
        r, t, s = (w["ratios"].get(k) for k in ("claim_baseline", "today", "shim"))
        out.append(f"| {w['title']} | {fmt_ratio(r)} | {fmt_saving(r)} | {fmt_ratio(t)} | "
                   f"{fmt_saving(t)} | {fmt_ratio(s)} |")
    return "\n".join(out)


def _pool_row(d, w, by, v):
    rid = f"pool_{v.replace('.', '')}"
    return (f"| {PATCH[v]} | {by[v + '/detached']:.2f} | {by[v + '/attached']:.2f} | "
            f"{fmt_ratio(w['ratios'].get(rid))} | {_ir_ratio(d, 'py_drop', rid)} |")


def pool_table(d):
    w = next(x for x in d["workloads"] if x["name"] == "py_drop")
    by = {s["key"]: s["ns_per_iter"]["median"] for s in w["series"]}
    out = ["| PyO3 | dropped detached (ns) | dropped attached (ns) | detached / attached | "
           "in instructions |", "|---|---|---|---|---|"]
    # A release without a detached series: results from before it was benchmarked.
    out += [_pool_row(d, w, by, v) for v in ("0.20", "0.21", "0.29", "0.30")
            if v + "/detached" in by]
    return "\n".join(out)


def _ns(w, key):
    got = next((s["ns_per_iter"] for s in w["series"] if s["key"] == key), None)
    return "—" if got is None else f"{got['median']:.2f} ±{got['iqr'] / 2:.2f}"


def _drain_ir(d):
    """Instructions to queue and drain one handle, 0.29 against 0.30, or '—'."""
    irw = reading.ir_part(d, "workloads").get("py_drop", {})
    if not all(f"{v}/{h}" in irw for v in ("0.29", "0.30") for h in ("detached", "attached")):
        return "—"
    i = {v: irw[f"{v}/detached"] - irw[f"{v}/attached"] for v in ("0.29", "0.30")}
    return f"{i['0.29']:.1f} / {i['0.30']:.1f} = {i['0.29'] / i['0.30']:.2f}×"


def _drain_row(d, w):
    """Queueing plus draining one handle: dropped detached minus dropped attached, in time (a
    difference of medians) and in instructions."""
    py = {s["key"]: s["ns_per_iter"]["median"] for s in w["series"]}
    t = {v: py[f"{v}/detached"] - py[f"{v}/attached"] for v in ("0.29", "0.30")}
    ratio = f"{t['0.29'] / t['0.30']:.2f}× (of medians)" if t["0.30"] > 0 else "—"
    return (f"| queue + drain per handle (detached − attached) | {t['0.29']:.2f} | "
            f"{t['0.30']:.2f} | {ratio} | {_drain_ir(d)} |")


def release_030_table(d):
    """0.29.3 beside 0.30.1 on what PyO3 #6200 changed: the reference pool's fast path."""
    loads = {w["name"]: w for w in d["workloads"]}
    if "attach_empty" not in loads:
        return "(no 0.30.1 results in this run)"
    out = ["| What | 0.29.3 (ns) | 0.30.1 (ns) | 0.29.3 / 0.30.1 | in instructions |",
           "|---|---|---|---|---|"]
    rows = (("attach_empty", "0.29/empty", "0.30/empty", "empty_029_030"),
            ("detach_empty", "0.29/empty", "0.30/empty", "empty_029_030"),
            ("py_drop", "0.29/detached", "0.30/detached", "detached_029_030"),
            ("py_drop", "0.29/attached", "0.30/attached", "attached_029_030"))
    for name, a, b, rid in rows:
        w = loads[name]
        what = w["title"] if name != "py_drop" else f"Py<T> dropped {a.split('/')[1]}"
        out.append(f"| {what} | {_ns(w, a)} | {_ns(w, b)} | {fmt_ratio(w['ratios'].get(rid))} | "
                   f"{_ir_ratio(d, name, rid)} |")
    out.append(_drain_row(d, loads["py_drop"]))
    out.append("")
    out.append("Medians of nanoseconds per iteration ± half the interquartile range; ratios > 1 "
               "mean 0.30.1 is faster. The two builds are the same Rust file compiled against "
               "each release, loaded in one process and timed interleaved. The last row is the "
               "difference of two medians, so it carries the noise of both.")
    return "\n".join(out)


def scaling_table(d):
    irs = reading.ir_part(d, "scaling")

    def ir(s, n):
        got = irs.get(s["workload"], {}).get(str(n), {})
        return f"{got[s['num']] / got[s['den']]:.2f}×" if s["num"] in got and s["den"] in got else "—"

    out = ["| objects per call (n) | " + " | ".join(
        f"{s['workload']}: time | instructions" for s in d["scaling"]) + " |",
        "|---|" + "---|---|" * len(d["scaling"])]
    for i, p in enumerate(d["scaling"][0]["points"]):
        out.append(f"| {p['n']:,} | " + " | ".join(
            f"{fmt_ratio(s['points'][i]['ratio'])} | {ir(s, p['n'])}" for s in d["scaling"]) + " |")
    out.append("")
    out.append("GIL Refs / Bound in the 0.21.2 build. Instructions were counted at a few sizes only "
               "(callgrind is slow).")
    return "\n".join(out)


def rss_table(d):
    series = d["rss"]["series"]
    model = {p["n"]: p["owned"] for p in (d.get("model") or {}).get("points", [])}
    out = ["| N | " + " | ".join(f"{k} growth (MiB)" for k in series) +
           " | model: objects in pool |", "|---|" + "---|" * (len(series) + 1)]
    for i, n in enumerate(d["rss"]["points"]):
        cells = [f"{(s['points'][i]['growth_kb'] or 0) / 1024:.2f}" for s in series.values()]
        out.append(f"| {n:,} | " + " | ".join(cells) + f" | {model.get(n, '—')} |")
    out.append("")
    out.append("Growth = the process's peak RSS (VmHWM) after the call minus before it, in a fresh "
               "process per point; absolute peaks are in the JSON. At small N the growth can read "
               "0: the first objects fit in memory the interpreter already holds, and VmHWM moves "
               "in 4 KiB pages. `ru_maxrss` is recorded too but not used: on Linux it survives "
               "`exec`, so it can report the parent's footprint at fork.")
    return "\n".join(out)


def _ratio_in(run, name, rid):
    """Workload `name`'s ratio `rid` in one run, as a table cell."""
    other = next((x for x in run["workloads"] if x["name"] == name), None)
    v = other and other["ratios"].get(rid)
    return f"{v['median']:.2f}×" if v else "—"


def _repeat_rows(w, runs):
    """One row per kind of ratio workload `w` has, with that ratio in every run."""
    return [f"| {w['title']} | {w['ratios'][rid]['num']} / {w['ratios'][rid]['den']} | "
            + " | ".join(_ratio_in(r, w["name"], rid) for r in runs) + " |"
            for rid in ("same_build", "claim_baseline", "shim") if rid in w["ratios"]]


def _run_heading(r):
    return (f"{r['machine']['date_utc'][:16].replace('T', ' ')} (load "
            f"{r['machine']['load_at_start'][0]})")


def repeat_section(d, earlier):
    """The same ratios from earlier full runs: how far a rerun moves each kind of comparison."""
    if not earlier:
        return ""
    runs = [d] + earlier
    head = " | ".join(map(_run_heading, runs))
    out = ["## Repeatability", "",
           "Every full run kept in `docs/data/` (this page's run first). Same-build ratios compare "
           "two functions in one binary; cross-build ratios compare different binaries, so code "
           "layout and a different moment on a shared machine enter too.", "",
           f"| Workload | ratio | {head} |", "|---|---|" + "---|" * len(runs)]
    for w in d["workloads"]:
        out += _repeat_rows(w, runs)
    out.append("")
    out.append(reading.repeat_note(runs))
    return "\n".join(out) + "\n"


def claims_table(d):
    out = ["| Claim | Source | What it measured | Our closest measurement |", "|---|---|---|---|"]
    for c in CLAIMS:
        out.append(f"| {c['quote']} | {c['source']} | {c['scope']} | "
                   f"{reading.closest(d, c)} |")
    return "\n".join(out)


def page(d, img, earlier=(), threads=None):
    return "\n".join([
        "# Performance: GIL Refs vs Bound on real PyO3",
        "",
        "<!-- Generated by `python -m bound_demo.bench_real.report` from docs/data/bench_real.json."
        " Do not edit by hand. -->",
        "",
        "The case for the Bound API was made with numbers: *\"up to 25% in many cases\"*, *\"as "
        "much as 30% overhead can be removed\"*, *−22%* on two benchmarks in PyO3 #3445, and with "
        "unbounded memory growth under GIL Refs (issue #1056). This page measures the same "
        "things on compiled PyO3, with the same Rust written against each API.",
        "",
        f"Reproduce: `make bench-real` (this run took {d['elapsed_s'] / 60:.0f} min; it builds "
        "`bench_real/` first and writes docs/data/bench_real.json), then "
        "`.venv/bin/python -m bound_demo.bench_real.report` to regenerate this page. The Rust is in "
        "`bench_real/`: `gil_refs.rs` is compiled against both 0.20.3 and 0.21.2 (`gil-refs`), "
        "`pyo3_021/src/bound.rs` is its Bound twin, `attach_api.rs` the same for 0.29.3 and again, "
        "unchanged, for 0.30.1. "
        "All four builds are loaded in one Python process and timed interleaved.",
        "",
        "## Where and how", "", machine_section(d), "",
        "## Time per workload", "",
        f"![Time ratio per workload]({img}/time_ratio.png)", "",
        time_table(d), "",
        "### Against the 0.20 baseline", "",
        "The published figures compared releases: 0.20-era code against Bound-era code. The "
        "0.21.2 `gil-refs` layer is a shim over Bound internals, so the same-build ratio "
        "isolates the handle API alone. Same runs, other pairs:", "",
        cross_table(d), "",
        "## What the pool's cost depends on", "",
        f"![Ratio against work per call]({img}/scaling.png)", "",
        scaling_table(d), "",
        "## The reference pool: `Py<T>` dropped without the GIL", "",
        pool_table(d), "",
        "## 0.29.3 → 0.30.1: the reference pool's fast path (#6200)", "",
        "0.30's changelog says the reference pool got cheaper. In 0.29 every guard locks the "
        "pool's mutex to see whether anything is queued; in 0.30 it reads an atomic dirty flag "
        "and takes the lock only when the flag is set, and only the thread that clears the flag "
        "drains. Measured side by side:", "",
        release_030_table(d), "",
        reading.release_030(d), "",
        "## Memory: issue #1056's loop", "",
        f"![Peak RSS against iterations]({img}/rss.png)", "",
        rss_table(d), "",
        reading.model_note(d), "",
        repeat_section(d, list(earlier)),
        "## Free-threaded Python: one workload on two threads", "",
        thread_scaling.section(threads), "",
        "## The published claims beside our measurements", "",
        claims_table(d), "",
        "## Reading the numbers", "",
        reading.honest(d), "",
        "## Caveats", "",
        reading.CAVEATS, "",
    ])


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bound_demo.bench_real.report")
    ap.add_argument("--data", type=Path, default=REPO / "docs" / "data" / "bench_real.json")
    ap.add_argument("--docs", type=Path, default=REPO / "docs",
                    help="writes DOCS/performance.md and DOCS/performance/*.png")
    args = ap.parse_args(argv)
    d = json.loads(args.data.read_text())
    # Earlier full runs kept beside it (bench_real.earlier-*.json) feed the repeatability table.
    earlier = [json.loads(p.read_text())
               for p in sorted(args.data.parent.glob(args.data.stem + ".earlier-*.json"))]
    # The free-threaded scaling run is a separate script with its own file beside the data.
    scaling = args.data.parent / "thread_scaling.json"
    threads = json.loads(scaling.read_text()) if scaling.exists() else None
    img = args.docs / "performance"
    img.mkdir(parents=True, exist_ok=True)
    charts.time_ratios(d, img / "time_ratio.png")
    charts.scaling(d, img / "scaling.png")
    charts.rss(d, img / "rss.png")
    (args.docs / "performance.md").write_text(page(d, "performance", earlier, threads))
    print(f"wrote {args.docs / 'performance.md'} and 3 charts in {img}")


if __name__ == "__main__":
    main()
