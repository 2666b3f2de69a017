"""Model vs real PyO3, probe by probe.

`compare(program, pyo3, features, cfg)` runs a program through the model and through the
witness build for that release and returns `None` when they agree, or a `Mismatch` that
shows the program, both probe sequences and the first probe where they differ. They agree
when both stop with the same error kind (or neither errs) and their probes carry the same
labels in the same order with the same refcount and liveness for every object the witness
can observe (CPython's shared empty tuple is not the program's and is skipped).

`python -m bound_demo.witness.differential [--random N] [--pyo3 X.Y ...] [--write FILE]` runs
every scenario on every available build (or only those of the named release lines) plus N
random valid programs per extension module, and writes a summary.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from dataclasses import dataclass

import bound_demo

from . import available_builds, run as witness_run
from ..format.fuzz import generate
from ..format.program import spell_for_release
from ..versions import profile


@dataclass
class Mismatch:
    program: dict
    build: tuple
    model: list
    real: list
    model_error: str | None
    real_error: str | None
    first: str

    def __str__(self):
        return (f"model and PyO3 {self.build} disagree: {self.first}\n"
                f"program: {json.dumps(self.program)}\n"
                f"model probes: {json.dumps(self.model)}\nmodel error: {self.model_error}\n"
                f"real probes:  {json.dumps(self.real)}\nreal error:  {self.real_error}")


def model_probes(trace):
    out = []
    for label, i in _probe_indices(trace):
        st = trace.state_at(i)
        out.append([label, {k: [o.refcount, o.alive] for k, o in st.objects.items()}])
    return out


def _probe_indices(trace):
    return [(s.op.d["label"], s.index) for s in trace.steps if s.event == "probe"]


def real_probes(result):
    return [[label, {k: [o.refcount, o.alive] for k, o in st.objects.items() if not o.shared}]
            for label, st in result.probes]


def compare(program, pyo3, features=(), cfg=(), free_threaded=False):
    """`free_threaded=True`: the model's free-threaded build against the free-threaded witness
    (error kinds then include `hang`, which the witness detects with a timeout)."""
    trace = bound_demo.run(program, pyo3=pyo3, features=features, cfg=cfg, free_threaded=free_threaded)
    real = witness_run(spell_for_release(program, pyo3), pyo3=pyo3, features=features, cfg=cfg,
                       **({"free_threaded": True} if free_threaded else {}))
    m, r = model_probes(trace), real_probes(real)
    me = trace.error.kind if trace.error else None
    re_ = real.error.kind if real.error else None
    first = None
    if me != re_:
        first = f"error kinds differ: model {me}, real {re_}"
    else:
        for i, (a, b) in enumerate(zip(m, r)):
            if a[0] != b[0]:
                first = f"probe #{i}: labels differ ({a[0]} vs {b[0]})"
                break
            seen = {k: v for k, v in a[1].items() if k in b[1]}
            if seen != b[1]:
                diff = {k: (seen.get(k), b[1][k]) for k in b[1] if seen.get(k) != b[1][k]}
                first = f"probe #{i} `{a[0]}`: (model, real) = {diff}"
                break
        else:
            if len(m) != len(r):
                first = f"probe counts differ: model {len(m)}, real {len(r)}"
    if first is None:
        return None
    build = (pyo3, tuple(features), tuple(cfg)) + (("free-threaded",) if free_threaded else ())
    return Mismatch(program, build, m, r,
                    trace.error and trace.error.message, real.error and real.error.message, first)


def modules():
    """One (pyo3, features, cfg) per extension module: the fullest feature set it answers for."""
    best = {}
    for pyo3, feats, cfg in available_builds():
        key = (pyo3, cfg, "gil-refs" in feats)
        if key not in best or len(feats) > len(best[key][1]):
            best[key] = (pyo3, feats, cfg)
    return sorted(best.values())


def main(argv=None):
    ap = argparse.ArgumentParser(description="Model vs real PyO3 on scenarios and random programs.")
    ap.add_argument("--random", type=int, default=2000, help="random programs per build")
    ap.add_argument("--write", help="write a JSON summary here")
    ap.add_argument("--pyo3", action="append", metavar="X.Y",
                    help="only the builds of this release line (repeatable; default: every build)")
    ap.add_argument("--free-threaded", action="store_true",
                    help="the free-threaded witness (PyO3 0.28 on CPython 3.13t) instead")
    a = ap.parse_args(argv)
    if a.free_threaded:
        return _main_free_threaded(a)
    builds = [b for b in available_builds() if not a.pyo3 or b[0] in a.pyo3]
    rows, mismatches = [], []
    for pyo3, feats, cfg in builds:
        t0 = time.perf_counter()
        n_s = n_r = 0
        for name in bound_demo.scenarios.names():
            n_s += 1
            mm = compare(bound_demo.scenarios.get(name), pyo3, feats, cfg)
            if mm:
                mismatches.append(str(mm))
        if (pyo3, feats, cfg) in modules():
            prof = profile(pyo3, feats, cfg)
            for seed in range(a.random):
                n_r += 1
                mm = compare(generate(random.Random(seed).randint, prof), pyo3, feats, cfg)
                if mm:
                    mismatches.append(str(mm))
        rows.append({"pyo3": pyo3, "features": list(feats), "cfg": list(cfg), "scenarios": n_s,
                     "random_programs": n_r, "seconds": round(time.perf_counter() - t0, 1)})
        print(f"PyO3 {pyo3} {'+'.join(feats) or '-'} {' '.join(cfg)}: {n_s} scenarios, {n_r} random "
              f"programs, {rows[-1]['seconds']} s")
    summary = {"date": time.strftime("%Y-%m-%d"), "python": platform.python_version(),
               "builds": rows, "mismatches": len(mismatches)}
    print(f"mismatches: {len(mismatches)}")
    for mm in mismatches[:5]:
        print(mm)
    if a.write:
        with open(a.write, "w") as f:
            json.dump(summary, f, indent=1)
    return 1 if mismatches else 0


def _main_free_threaded(a):
    """Every scenario and `--random` random programs (with waits and collections added) on the
    free-threaded witness; prints the counts per outcome and the time."""
    from . import ft
    prof = profile("0.28", ("py-clone",), free_threaded=True)
    t0, outcomes, mismatches = time.perf_counter(), {}, []
    progs = [bound_demo.scenarios.get(n) for n in bound_demo.scenarios.names()]
    progs += [ft.random_program(seed, prof) for seed in range(a.random)]
    for p in progs:
        mm = compare(p, "0.28", ("py-clone",), free_threaded=True)
        if mm:
            mismatches.append(str(mm))
            continue
        t = bound_demo.run(p, pyo3="0.28", features=("py-clone",), free_threaded=True)
        k = t.error.kind if t.error else "ok"
        outcomes[k] = outcomes.get(k, 0) + 1
    secs = round(time.perf_counter() - t0, 1)
    print(f"free-threaded PyO3 {ft.CRATE}: {len(progs)} programs ({a.random} random) in {secs} s; "
          f"outcomes {outcomes}; mismatches: {len(mismatches)}")
    for mm in mismatches[:5]:
        print(mm)
    if a.write:
        with open(a.write, "w") as f:
            json.dump({"date": time.strftime("%Y-%m-%d"), "programs": len(progs), "random": a.random,
                       "seconds": secs, "outcomes": outcomes, "mismatches": len(mismatches)}, f, indent=1)
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
