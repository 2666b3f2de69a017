"""Run one #1056 loop in a fresh process and print its memory high-water marks as JSON.

Usage: python -m bound_demo.bench_real.rss_child MODULE FUNCTION N
A process per point, because peak RSS never goes down: an earlier, larger run would hide a later one.
"""
import importlib
import json
import resource
import sys


def _status_kb(field):
    """VmHWM/VmRSS from /proc (Linux); None elsewhere."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def main(argv):
    module, function, n = argv[0], argv[1], int(argv[2])
    fn = getattr(importlib.import_module(module), function)
    fn(10)  # first call initialises PyO3's statics, so the baseline below already includes them
    before = _status_kb("VmHWM")
    fn(n)
    after = _status_kb("VmHWM")
    # ru_maxrss is in KiB on Linux (bytes on macOS; only Linux is measured here).
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"hwm_before_kb": before, "hwm_after_kb": after, "ru_maxrss_kb": maxrss}))


if __name__ == "__main__":
    main(sys.argv[1:])
