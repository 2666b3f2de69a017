#!/usr/bin/env python3
"""Thread scaling of one Bound workload on the free-threaded build, with the GIL off and on.

Runs `bd_witness_028_ft.bench_bound(threads, iters)` (witness/pyo3_028_ft: each thread attaches
and makes, appends to and drops a list `iters` times) on 1 and 2 OS threads, in fresh child
processes of the free-threaded interpreter built by scripts/build-free-threaded.sh:

* `PYTHON_GIL=0`: the free-threaded build as shipped (the module declares `gil_used = false`);
* `PYTHON_GIL=1`: the same interpreter and module with CPython's GIL forced on, which stands
  for the GIL build (same CPython 3.13.5, same PyO3 0.28.3, same compiled code).

Throughput is iterations per second summed over threads; the ratio is 2-thread throughput over
1-thread throughput (2.0 is perfect scaling on 2 cores, 1.0 none). Each figure is the best of
`--repeat` runs. Prints one JSON object, or writes it to `--out` (docs/data/thread_scaling.json
feeds the Real numbers page: rerun `python -m bound_demo.bench_real.report` after). The machine's
load average is recorded before and after. Run it on a quiet machine: it keeps both cores busy.

    .build/ft-venv/bin/python scripts/bench-thread-scaling.py --iters 20000000 --repeat 5 \
        --out docs/data/thread_scaling.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys

CHILD = "import bd_witness_028_ft as m, sys; print(m.bench_bound(int(sys.argv[1]), int(sys.argv[2])))"


def seconds(python, gil, threads, iters):
    env = {**os.environ, "PYTHON_GIL": gil}
    out = subprocess.run([python, "-c", CHILD, str(threads), str(iters)], env=env,
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def build(python, gil, iters, repeat):
    """Throughput on 1 and 2 threads (best of `repeat`) and their ratio."""
    best = {t: min(seconds(python, gil, t, iters) for _ in range(repeat)) for t in (1, 2)}
    rate = {t: t * iters / best[t] for t in best}
    return {"seconds": best, "iters_per_s": {t: round(r) for t, r in rate.items()},
            "ratio_2_over_1": round(rate[2] / rate[1], 3)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--python", default=sys.executable, help="the free-threaded interpreter")
    ap.add_argument("--iters", type=int, default=20_000_000, help="iterations per thread")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", help="write the JSON here instead of printing it")
    args = ap.parse_args(argv)
    load_before = [round(x, 2) for x in os.getloadavg()]
    result = {"workload": "bench_bound: PyList::empty, append, del_item, drop; per thread",
              "iters_per_thread": args.iters, "repeat": args.repeat, "cpus": os.cpu_count(),
              "python": _python_version(args.python), "pyo3": _locked_pyo3(),
              "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "cpu": platform.processor() or platform.machine(),
              "free_threaded": build(args.python, "0", args.iters, args.repeat),
              "gil_forced_on": build(args.python, "1", args.iters, args.repeat)}
    result["load_before"], result["load_after"] = load_before, [round(x, 2) for x in os.getloadavg()]
    text = json.dumps(result, indent=1) + "\n"
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


def _locked_pyo3():
    """The PyO3 release the witness crate was built against, as its Cargo.lock pins it."""
    lock = os.path.join(os.path.dirname(__file__), "..", "witness", "pyo3_028_ft", "Cargo.lock")
    with open(lock, encoding="utf-8") as f:
        m = re.search(r'name = "pyo3"\nversion = "([^"]+)"', f.read())
    return m.group(1) if m else None


def _python_version(python):
    out = subprocess.run([python, "-c", "import sys; print(sys.version.split()[0], sys.abiflags)"],
                         capture_output=True, text=True, check=True)
    return "".join(out.stdout.split())


if __name__ == "__main__":
    main()
