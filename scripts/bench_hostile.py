"""Worst cases of issue 16 under the caps: each CLI command's wall time and peak memory.

    .venv/bin/python scripts/bench_hostile.py [--quick]

Every case is a program just under the caps of bound_demo.format.program (or a render just
under those of bound_demo.budget), run as `python -m bound_demo ...` in a subprocess;
the figures are its wall time, its CPU time (with the `dot` processes it waited for; on a
busy machine the wall time is longer) and its peak resident memory (`wait4`; the `dot`
processes a render starts are separate, each well under 100 MB). The target is about 60 s and 2 GB each.
A case over the caps is refused at once; the 'refused' rows show that.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from bound_demo import budget  # noqa: E402
from bound_demo.format import program as prog  # noqa: E402


def P(*ops):
    return {"format": "bound_demo.program/1", "ops": list(ops)}


def new(name, api="bound", type="object", **kw):
    return {"op": "new", "as": name, "type": type, "api": api, **kw}


def gil(*body):
    return {"op": "gil", "body": list(body)}


def repeat(times, *body):
    return {"op": "repeat", "times": times, "body": list(body)}


def threads(n):
    return P(*[{"op": "thread", "name": f"t{i}", "body": [gil(new("b"))]} for i in range(n)])


def probes(n):
    """n steps whose frames stay small: the frame cap, not the size caps, is what binds."""
    return P(gil(*[{"op": "probe", "label": f"p{i}"} for i in range(n - 3)]))


def cases(quick):
    """(name, program, CLI arguments after the program file)."""
    k = 10 if quick else 1
    slow = prog.MAX_SLOW_OPS // k - 10
    return [
        ("objects at the cap, loop in bulk (run)", P(gil(repeat(prog.MAX_OBJECTS // k, new("b")))),
         ["run", "--pyo3", "0.23", "--steps", "0:100"]),
        ("GIL refs at the cap, pool grows (run)",
         P(gil(repeat(prog.MAX_STORED_STEPS // 3 // k, new("b", api="gil_ref")))),
         ["run", "--pyo3", "0.20", "--steps", "0:100"]),
        ("ops one by one at the cap (run)",
         P(gil(new("l", type="list"), repeat(slow, {"op": "clone", "src": "l", "as": "c"}))),
         ["run", "--pyo3", "0.23", "--steps", "0:100"]),
        ("list items one by one at the cap (run)",
         P(gil(new("x"), repeat(slow // 1001, new("l", type="list", items=["x"] * 1000)))),
         ["run", "--pyo3", "0.23", "--steps", "0:100"]),
        ("handles at the cap, whole table (run)",
         P(gil(*[new(f"h{i}") for i in range(prog.MAX_HANDLES // k)])), ["run", "--pyo3", "0.23"]),
        ("threads at the cap (run)", P(repeat(prog.MAX_THREADS // k, {"op": "thread", "name": "t",
                                                                     "body": [gil(new("b"))]})),
         ["run", "--pyo3", "0.23"]),
        ("steps at the table cap (run)", P(gil(repeat(budget.MAX_TABLE_ROWS // 2 // k - 10, new("b")))),
         ["run", "--pyo3", "0.23"]),
        ("--json at the step cap, growing pool (refused: bytes)",
         P(gil(repeat(budget.MAX_JSON_STEPS // 2 // k - 10, new("b", api="gil_ref")))),
         ["run", "--pyo3", "0.20", "--json"]),
        ("--json at the step cap, flat state", P(gil(repeat(budget.MAX_JSON_STEPS // 2 // k - 10, new("b")))),
         ["run", "--pyo3", "0.23", "--json"]),
        ("--html at the frame cap", probes(budget.MAX_FRAMES // k - 5),
         ["render", "--pyo3", "0.23", "--html", "{out}.html", "--quiet"]),
        ("--svg at the frame cap", probes(budget.MAX_FRAMES // k - 5),
         ["render", "--pyo3", "0.23", "--svg", "{out}-svg", "--quiet"]),
        ("--svg of 50 threads, 130 frames: at the source cap", threads(50),
         ["render", "--pyo3", "0.23", "--svg", "{out}-big", "--steps", f"0:{130 // k}", "--quiet"]),
        ("--gif at the GIF frame cap", probes(budget.MAX_GIF_FRAMES // k - 5),
         ["render", "--pyo3", "0.23", "--gif", "{out}-small.gif", "--quiet"]),
        ("--gif at the frame cap (refused: GIF frames)", probes(budget.MAX_FRAMES // k - 5),
         ["render", "--pyo3", "0.23", "--gif", "{out}-many.gif", "--quiet"]),
        ("--gif of 50 threads (issue: OOM at 24 GB; refused: canvas)", threads(50),
         ["render", "--pyo3", "0.23", "--gif", "{out}.gif", "--steps", f"0:{120 // k}", "--quiet"]),
        ("--gif of 12 threads at the pixel cap", threads(12),
         ["render", "--pyo3", "0.23", "--gif", "{out}-12.gif", "--steps", f"0:{68 // k}", "--quiet"]),
        ("--html of 50 threads, whole trace (refused: source)", threads(50),
         ["render", "--pyo3", "0.23", "--html", "{out}-50.html", "--quiet"]),
        ("--html of 2,000 threads (refused: threads)", threads(2000),
         ["render", "--pyo3", "0.23", "--html", "{out}-2000.html", "--quiet"]),
    ]


def measure(args):
    t0 = time.monotonic()
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen([sys.executable, "-m", "bound_demo", *args], stdout=null,
                                stderr=subprocess.PIPE, cwd=ROOT)
        err = proc.stderr.read().decode("utf-8", "replace")
        _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    # CPU time of the command and of the `dot` processes it waited for: what the wall time
    # would be on an idle machine, with one core.
    cpu = usage.ru_utime + usage.ru_stime
    return time.monotonic() - t0, cpu, usage.ru_maxrss / 1024, code, err.strip()


def main(argv=None):
    quick = "--quick" in (argv or sys.argv[1:])
    print(f"{'case':58} {'exit':>4} {'wall s':>7} {'CPU s':>6} {'peak MB':>8}")
    worst_t = worst_c = worst_m = 0.0
    with tempfile.TemporaryDirectory(prefix="bd-bench-") as tmp:
        for n, (name, program, args) in enumerate(cases(quick)):
            f = os.path.join(tmp, f"case{n}.json")
            with open(f, "w", encoding="utf-8") as fh:
                json.dump(program, fh)
            out = os.path.join(tmp, f"out{n}")
            cmd = [args[0], f] + [a.replace("{out}", out) for a in args[1:]]
            wall, cpu, mb, code, err = measure(cmd)
            worst_t, worst_c, worst_m = max(worst_t, wall), max(worst_c, cpu), max(worst_m, mb)
            print(f"{name:58} {code:>4} {wall:>7.1f} {cpu:>6.1f} {mb:>8.0f}"
                  + (f"  {err[:90]}" if code else ""), flush=True)
    print(f"worst: {worst_t:.1f} s wall, {worst_c:.1f} s CPU, {worst_m:.0f} MB "
          "(target: about 60 s and 2,048 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
