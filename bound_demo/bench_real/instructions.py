"""Instruction counts per iteration under callgrind: a companion to the timings that does not
depend on what else the shared machine is doing (same binary and inputs -> same count).

Instructions miss what memory does (cache misses cost time, not instructions), so where the time
ratio grows and the instruction ratio does not, the difference is memory traffic.
"""
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_SUMMARY = re.compile(r"^summary:\s+(\d+)", re.M)


def available():
    return shutil.which("valgrind") is not None


def count(segments, timeout_s=600):
    """segments: [(module, function, input keys, n, calls)] run in one callgrind process per module.

    Returns a list of instructions per iteration, in the order given.
    """
    by_module = {}
    for i, seg in enumerate(segments):
        by_module.setdefault(seg[0], []).append(i)
    out = [None] * len(segments)
    with tempfile.TemporaryDirectory() as tmp:
        for module, idx in by_module.items():
            plan = Path(tmp) / f"{module}.json"
            plan.write_text(json.dumps([list(segments[i]) for i in idx]))
            dump = Path(tmp) / f"{module}.cg"
            subprocess.run(["valgrind", "--tool=callgrind", "--dump-before=getppid",
                            f"--callgrind-out-file={dump}", sys.executable, "-m",
                            "bound_demo.bench_real.ir_child", str(plan)],
                           check=True, capture_output=True, timeout=timeout_s)
            for j, i in enumerate(idx):
                # Dumps are numbered from 1 in order; 2j+1 is the junk interval before segment j,
                # 2j+2 is the segment itself.
                text = Path(f"{dump}.{2 * j + 2}").read_text()
                _, _, _, n, calls = segments[i]
                out[i] = int(_SUMMARY.search(text).group(1)) / (n * calls)
    return out
