"""`python -m bound_demo.bench_real [--quick] [--out FILE]`: time every workload on real PyO3,
measure #1056's memory growth, write JSON (default docs/data/bench_real.json)."""
import argparse
import functools
import importlib
import json
import subprocess
import sys
import time
from pathlib import Path

from tqdm import tqdm

from . import instructions, machine, model, rss, timing
from .workloads import (MODULES, inputs, RATIOS, RSS_POINTS, RSS_SERIES, SCALING, SCALING_N,
                        WORKLOADS)

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "docs" / "data" / "bench_real.json"
QUICK_OUT = REPO / ".build" / "bench_real-quick.json"   # never overwrites the committed results

# n = 1000 objects per #[pyfunction] call: a call that touches a thousand objects is ordinary, and
# its pool stays in cache; how the ratio moves with n is measured separately (SCALING_N).
# A sample of ~20 ms makes timer resolution and scheduler noise small against the work.
MODES = {
    "default": dict(n=1000, target_s=0.02, rounds=61, warmup=2, scaling_n=SCALING_N,
                    scaling_rounds=21, rss_points=RSS_POINTS, rss_series=RSS_SERIES,
                    model_timeout_s=60, ir_calls=5, ir_versions=("0.20", "0.21", "0.29", "0.30"),
                    ir_scaling_n=(10, 10**3, 10**5)),
    "quick": dict(n=200, target_s=0.0005, rounds=3, warmup=1, scaling_n=SCALING_N[:2],
                  scaling_rounds=3, rss_points=RSS_POINTS[:2], rss_series=RSS_SERIES[1:3],
                  model_timeout_s=20, ir_calls=1, ir_versions=("0.21",), ir_scaling_n=(10,)),
}


def build():
    script = REPO / "scripts" / "build-bench-real.sh"
    if script.exists():
        subprocess.run([str(script)], check=True)


def load_modules():
    mods, missing = {}, []
    for ver, name in MODULES.items():
        try:
            mods[ver] = importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        sys.exit(f"bench_real: extension(s) {', '.join(missing)} not installed; "
                 "run scripts/build-bench-real.sh (needs cargo)")
    return mods


def bind(mods, w, series, data):
    """series -> callable(n), with the workload's input objects already supplied."""
    fn = getattr(mods[series.pyo3], series.function)
    return functools.partial(fn, *(data[k] for k in w.inputs))


def time_all(mods, cfg, bar, data):
    return [_time_workload(mods, w, cfg, bar, data) for w in WORKLOADS]


def _time_workload(mods, w, cfg, bar, data):
    """Every series of one workload timed interleaved at n, with the ratios RATIOS asks for."""
    fns = {s.key: bind(mods, w, s, data) for s in w.series}
    n = cfg["n"]
    # Sized on the first series, the old-API baseline, which is the slowest in most workloads.
    calls = timing.calibrate(next(iter(fns.values())), n, cfg["target_s"])
    bar.set_postfix_str(f"{w.name} n={n} calls={calls}")
    samples = timing.run_workload(fns, n, calls, cfg["rounds"], cfg["warmup"], bar.update)
    ratios = {rid: dict(r, num=num, den=den, meaning=meaning)
              for rid, num, den, meaning in RATIOS
              if (r := timing.ratio(samples, num, den)) is not None}
    return {
        "name": w.name, "title": w.title, "what": w.what, "n": n, "calls": calls,
        "series": [dict(key=s.key, label=s.label, module=MODULES[s.pyo3],
                        function=s.function, ns_per_iter=timing.summary(samples[s.key]),
                        samples=[round(x, 3) for x in samples[s.key]])
                   for s in w.series],
        "ratios": ratios,
    }


def _scaling_pairs():
    """(workload name, numerator series, denominator series, workload, its series by key) for
    every pair SCALING measures."""
    for name, num, den in SCALING:
        w = next(x for x in WORKLOADS if x.name == name)
        yield name, num, den, w, {s.key: s for s in w.series}


def scaling_all(mods, cfg, bar, data):
    """The same-build ratio as the work per call grows: the pool's cost is not a constant."""
    out = []
    for name, num, den, w, by_key in _scaling_pairs():
        fns = {k: bind(mods, w, by_key[k], data) for k in (num, den)}
        rows = [_scaling_row(fns, num, den, n, cfg, bar, name) for n in cfg["scaling_n"]]
        out.append({"workload": name, "num": num, "den": den, "points": rows})
    return out


def _scaling_row(fns, num, den, n, cfg, bar, name):
    """One point of a scaling pair: both series timed at n objects per call."""
    calls = timing.calibrate(fns[num], n, cfg["target_s"])
    bar.set_postfix_str(f"scaling {name} n={n}")
    samples = timing.run_workload(fns, n, calls, cfg["scaling_rounds"], 1, bar.update)
    return {"n": n, "calls": calls, "ratio": timing.ratio(samples, num, den),
            "ns_per_iter": {k: timing.summary(v) for k, v in samples.items()}}


def _workload_segments(cfg):
    """(segment, where it goes) for every series of a release in `ir_versions`, at n."""
    return [((MODULES[s.pyo3], s.function, list(w.inputs), cfg["n"], cfg["ir_calls"]),
             ("workload", w.name, s.key, cfg["n"]))
            for w in WORKLOADS for s in w.series if s.pyo3 in cfg["ir_versions"]]


def _scaling_segments(cfg):
    """(segment, where it goes) for both sides of each scaling pair at every `ir_scaling_n`."""
    # At least 10^4 iterations per segment.
    return [((MODULES[by_key[key].pyo3], by_key[key].function, list(w.inputs), n,
              max(1, 10**4 // n)), ("scaling", name, key, n))
            for name, num, den, w, by_key in _scaling_pairs()
            for n in cfg["ir_scaling_n"] for key in (num, den)]


def _file_counts(where, counts):
    """The counts filed by kind and workload (and n, for scaling), rounded."""
    per = {"workload": {}, "scaling": {}}
    for (kind, name, key, n), ir in zip(where, counts):
        slot = per[kind].setdefault(name, {})
        if kind == "scaling":
            slot = slot.setdefault(str(n), {})
        slot[key] = round(ir, 2)
    return per


def _ir_ratios(workloads):
    """Every ratio of RATIOS whose two series were counted, per workload."""
    return {name: {rid: round(series[a] / series[b], 4) for rid, a, b, _ in RATIOS
                   if a in series and b in series}
            for name, series in workloads.items()}


def instructions_all(cfg):
    """Instructions per iteration for every series at n, and for the scaling pairs."""
    if not instructions.available():
        return {"status": "unavailable", "reason": "valgrind not found"}
    pairs = _workload_segments(cfg) + _scaling_segments(cfg)
    per = _file_counts([where for _, where in pairs], instructions.count([seg for seg, _ in pairs]))
    return {"status": "ok", "n": cfg["n"], "calls": cfg["ir_calls"], "workloads": per["workload"],
            "scaling": per["scaling"], "ratios": _ir_ratios(per["workload"])}


def rss_all(cfg):
    points = [(k, v, f, n) for k, v, f in cfg["rss_series"] for n in cfg["rss_points"]]
    out = {}
    for key, ver, fn, n in tqdm(points, desc="peak RSS", unit="proc"):
        out.setdefault(key, {"module": MODULES[ver], "function": fn, "points": []})
        out[key]["points"].append(rss.measure(MODULES[ver], fn, n))
    return out


def wait_for_quiet(limit, max_s):
    """On a shared machine, start timing when others' builds have paused (best effort)."""
    deadline = time.monotonic() + max_s
    while (load := machine.load()) and load[0] >= limit and time.monotonic() < deadline:
        print(f"bench_real: load {load[0]} >= {limit}; waiting", flush=True)
        time.sleep(15)


def _arguments():
    ap = argparse.ArgumentParser(prog="python -m bound_demo.bench_real", description=__doc__)
    ap.add_argument("--quick", action="store_true",
                    help="tiny counts: checks the harness end to end, says nothing about speed")
    ap.add_argument("--out", type=Path, help="JSON file to write")
    ap.add_argument("--no-build", action="store_true", help="skip scripts/build-bench-real.sh")
    ap.add_argument("--wait-load", type=float, metavar="L",
                    help="before timing, wait (up to --wait-max s) for the 1-min load to drop below L")
    ap.add_argument("--wait-max", type=float, default=900)
    return ap


def _samples(cfg):
    """How many timing samples a run takes (the progress bar's total)."""
    return (sum(len(w.series) for w in WORKLOADS) * cfg["rounds"]
            + len(SCALING) * len(cfg["scaling_n"]) * 2 * cfg["scaling_rounds"])


def _measure(cfg, mods, info):
    """Every measurement of one run, in the JSON's layout (`info`: the machine, filled in)."""
    with tqdm(total=_samples(cfg), desc="timing", unit="sample") as bar:
        objs = inputs()
        timings = time_all(mods, cfg, bar, objs)
        scaling = scaling_all(mods, cfg, bar, objs)
    info["load_after_timing"] = machine.load()
    print("bench_real: counting instructions under callgrind ...", flush=True)
    ir = instructions_all(cfg)
    memory = rss_all(cfg)
    curve = model.curve(cfg["rss_points"], cfg["model_timeout_s"])
    info["load_at_end"] = machine.load()
    return {
        "machine": info,
        "settings": {k: v for k, v in cfg.items() if k not in ("rss_series",)},
        "workloads": timings,
        "scaling": scaling,
        "instructions": ir,
        "rss": {"points": list(cfg["rss_points"]), "series": memory},
        "model": curve,
    }


# The ratio the closing summary prints per workload: the first of these it has.
SUMMARY_RATIOS = ("same_build", "pool_021", "empty_029_030")


def _print_summary(timings):
    for w in timings:
        r = next(w["ratios"][rid] for rid in SUMMARY_RATIOS if w["ratios"].get(rid))
        print(f"  {w['name']:<12} n={w['n']:<8} ratio {r['num']}/{r['den']} = {r['median']:.3f} "
              f"(IQR {r['q1']:.3f}-{r['q3']:.3f})")


def main(argv=None):
    args = _arguments().parse_args(argv)
    mode = "quick" if args.quick else "default"
    cfg = MODES[mode]
    out = args.out or (QUICK_OUT if args.quick else DEFAULT_OUT)
    if not args.no_build:
        build()
    mods = load_modules()
    if args.wait_load is not None:
        wait_for_quiet(args.wait_load, args.wait_max)
    t0 = time.monotonic()
    info = machine.describe(REPO)
    info["load_at_start"] = machine.load()
    data = {"format": "bound_demo.bench_real/1", "mode": mode, **_measure(cfg, mods, info),
            "elapsed_s": round(time.monotonic() - t0, 1)}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=1) + "\n")
    print(f"bench_real: {mode} run took {data['elapsed_s']} s; wrote {out}")
    _print_summary(data["workloads"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
