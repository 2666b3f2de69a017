"""The Real numbers page's free-threading section: one Bound workload on 1 and 2 threads, on
the free-threaded CPython with its GIL off and with the GIL forced on.

The figures come from docs/data/thread_scaling.json, written by
`scripts/bench-thread-scaling.py --out` (it runs `bench_bound` of witness/pyo3_028_ft, PyO3 0.28.3
on CPython 3.13t). Every number in the prose is read from that file, so a rerun cannot leave the
text saying something the data does not.
"""

def _row(label, build):
    s, rate = build["seconds"], build["iters_per_s"]
    return (f"| {label} | {s['1']:.3f} | {s['2']:.3f} | {rate['1']:,} | {rate['2']:,} | "
            f"{build['ratio_2_over_1']:.2f}× |")


def _reading(d):
    ft, gil = d["free_threaded"]["ratio_2_over_1"], d["gil_forced_on"]["ratio_2_over_1"]
    return (f"With the GIL off, a second thread gives {ft:.2f}× the one-thread throughput (2.00× "
            f"would be perfect scaling on {d['cpus']} cores): both threads stay attached and run "
            f"at once. With the GIL forced on, the same module and interpreter give {gil:.2f}×: "
            "attaching takes the GIL, so the two threads take turns and a second thread adds no "
            "throughput, only the cost of handing the GIL over. This is what `gil_used = false` "
            "buys, and why a module that leaves it out (the GIL-enabled warning) loses it for the "
            "whole process.")


def section(d):
    """Markdown for the section, or a line saying how to measure it when `d` is None."""
    if d is None:
        return ("Not measured yet: run `scripts/bench-thread-scaling.py --out "
                "docs/data/thread_scaling.json` with the free-threaded interpreter.")
    return "\n".join([
        f"The same Bound workload ({d['workload']}), {d['iters_per_thread']:,} iterations per "
        f"thread, on CPython {d['python']} with PyO3 {d['pyo3']}, best of "
        f"{d['repeat']} runs, measured {d['date']}; load average before "
        f"{d['load_before']}, after {d['load_after']}. The GIL-on figure runs the same "
        "interpreter and the same compiled module with `PYTHON_GIL=1`, so only the GIL differs.",
        "",
        "| Build | 1 thread (s) | 2 threads (s) | 1 thread (iter/s) | 2 threads (iter/s, summed) "
        "| 2 threads / 1 thread |",
        "|---|---|---|---|---|---|",
        _row("free-threaded, GIL off", d["free_threaded"]),
        _row("same build, GIL forced on", d["gil_forced_on"]),
        "",
        _reading(d),
        "",
        "Reproduce: `.build/ft-venv/bin/python scripts/bench-thread-scaling.py --iters 20000000 "
        "--repeat 5 --out docs/data/thread_scaling.json`, then "
        "`.venv/bin/python -m bound_demo.bench_real.report`.",
    ])
