"""When real PyO3 fills the reference pool's `OnceLock` (0.26–0.29: `static POOL:
OnceLock<ReferencePool>` in src/internal/state.rs), read from the witness module's memory.

No PyO3 API says whether POOL exists, so a fresh child process loads the witness's shared
library without initialising it, finds `pyo3::internal::state::POOL` in its symbol table (`nm`)
and copies the static's bytes: once before the module's init, then after the import, then after
each program. Bytes that differ from the unfilled image mean `get_or_init` has run; how the
`OnceLock` lays out its fields does not matter to that comparison.

Found: 0.28.3 leaves POOL empty through the import and an empty detach, and fills it at the first
drop while detached (as the model says); 0.29.3 has filled it by the end of the import, because
`ModuleDef::make_module` fills `PyOnceLock`s, whose first fill detaches, and the end of a detach
calls `get_pool()` since #6404 (v0.29.3:src/internal/state.rs L260-L272).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys

import pytest

from witkit import IN_CI, block, new, op

_CHILD = r"""
import ctypes, glob, json, os, subprocess, sys, importlib, importlib.util
name, programs = sys.argv[1], json.loads(sys.argv[2])
so = glob.glob(os.path.join(os.path.dirname(importlib.util.find_spec(name).origin), "*.so"))[0]
ctypes.CDLL(so)  # mapped, but PyInit has not run: POOL is still the image in the file
symbols = subprocess.run(["nm", "-S", "-C", "--defined-only", so], capture_output=True,
                         text=True, check=True).stdout.splitlines()
addr, size = (int(x, 16) for x in next(
    s for s in symbols if s.endswith(" pyo3::internal::state::POOL")).split()[:2])
base = min(int(m.split("-")[0], 16) for m in open("/proc/self/maps") if m.rstrip().endswith(so))
image = ctypes.string_at(base + addr, size)
filled = lambda: ctypes.string_at(base + addr, size) != image
seen = {"import": None}
mod = importlib.import_module(name)
seen["import"] = filled()
for label, ops in programs:
    res = json.loads(mod.run(json.dumps({"format": "bound_demo.program/1", "ops": ops}), False, False))
    assert res["error"] is None, res
    seen[label] = filled()
print(json.dumps(seen))
"""

EMPTY_DETACH = [block("attach", block("detach"))]
QUEUED_DROP = [block("attach", new("p"), block("detach", op("drop", "p")))]
PROGRAMS = [("empty_detach", EMPTY_DETACH), ("attach_only", [block("attach")]),
            ("queued_drop", QUEUED_DROP)]


def _unavailable(why):
    if IN_CI:
        pytest.fail(f"pool probe cannot run in CI: {why}")
    pytest.skip(f"WITNESS NOT BUILT or no nm ({why}); run scripts/build-witness.sh")


def _filled(module):
    if importlib.util.find_spec(module) is None:
        _unavailable(f"{module} is not built")
    if shutil.which("nm") is None or not sys.platform.startswith("linux"):
        _unavailable("the probe needs binutils' nm and /proc/self/maps")
    out = subprocess.run([sys.executable, "-c", _CHILD, module, json.dumps(PROGRAMS)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_028_fills_pool_at_the_first_detached_drop_only():
    assert _filled("bd_witness_028") == {"import": False, "empty_detach": False,
                                         "attach_only": False, "queued_drop": True}


def test_029_has_filled_pool_by_the_end_of_the_import():
    assert _filled("bd_witness_029") == {"import": True, "empty_detach": True,
                                         "attach_only": True, "queued_drop": True}


@pytest.mark.parametrize("v", ["0.28", "0.29"])
def test_the_model_agrees_on_the_first_step(v):
    """The model's program runs in an imported module: its first state is the import's end."""
    import bound_demo
    expected = v == "0.29"
    t = bound_demo.run({"format": "bound_demo.program/1", "ops": EMPTY_DETACH}, pyo3=v)
    assert t.state_at(0).reference_pool_initialised is expected
    assert t.final.reference_pool_initialised is expected
