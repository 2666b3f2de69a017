"""Where and on what the numbers were measured: recorded beside every result."""
import datetime
import os
import platform
import re
import shutil
import subprocess
from pathlib import Path


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _rustc():
    if not shutil.which("rustc"):
        return None
    out = subprocess.run(["rustc", "--version"], capture_output=True, text=True)
    return out.stdout.strip() or None


def pyo3_versions(repo):
    """The PyO3 release each crate was locked to (Cargo.lock is what was actually built)."""
    found = {}
    for lock in sorted((repo / "bench_real").glob("pyo3_*/Cargo.lock")):
        m = re.search(r'name = "pyo3"\nversion = "([^"]+)"', lock.read_text())
        found[lock.parent.name] = m.group(1) if m else None
    return found


def describe(repo):
    return {
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "rustc": _rustc(),
        "pyo3": pyo3_versions(repo),
        "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
