"""Peak memory of issue #1056's loop: one child process per (series, N) point."""
import json
import subprocess
import sys


def measure(module, function, n, timeout_s=300):
    proc = subprocess.run(
        [sys.executable, "-m", "bound_demo.bench_real.rss_child", module, function, str(n)],
        capture_output=True, text=True, timeout=timeout_s, check=True)
    raw = json.loads(proc.stdout.strip().splitlines()[-1])
    before, after = raw["hwm_before_kb"], raw["hwm_after_kb"]
    return {
        "n": n,
        "peak_rss_kb": after if after is not None else raw["ru_maxrss_kb"],
        "ru_maxrss_kb": raw["ru_maxrss_kb"],
        # Growth caused by the loop alone: peak after the call minus peak before it.
        "growth_kb": (after - before) if None not in (before, after) else None,
    }
