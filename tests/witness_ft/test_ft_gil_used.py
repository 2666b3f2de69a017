"""What a free-threaded build changes around a module, on real PyO3 0.28.3 and CPython 3.13.5t:
the module `bd_ft_gil_used` (witness/pyo3_028_ft_gil_used, declared `gil_used = true`) built
by scripts/build-free-threaded.sh. Each check runs in a fresh child process, since importing
that module enables the GIL for the rest of the process; the model's side is asserted beside it.
Without the build every test is skipped loudly; in CI a missing build is a failure."""

import json
import os
import subprocess

import pytest

import bound_demo
from bound_demo.witness import ft

IN_CI = os.environ.get("CI") == "true"
WARNING = ("The global interpreter lock (GIL) has been enabled to load module 'bd_ft_gil_used.bd_ft_gil_used', "
           "which has not declared that it can run safely without the GIL.")


def child(code, **env):
    """Run `code` on the free-threaded interpreter; its last stdout line is JSON."""
    out = subprocess.run([str(ft.interpreter()), "-c", code], capture_output=True, text=True,
                         timeout=60, env={**os.environ, **env})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module", autouse=True)
def built():
    probe = [str(ft.interpreter()), "-W", "ignore", "-c", "import bd_ft_gil_used"]
    ok = ft.interpreter().exists() and subprocess.run(probe, capture_output=True).returncode == 0
    if not ok:
        if IN_CI:
            pytest.fail(f"bd_ft_gil_used missing in CI ({ft.interpreter()})")
        pytest.skip("FREE-THREADED WITNESS bd_ft_gil_used NOT BUILT; run scripts/build-free-threaded.sh")


IMPORT = """
import json, sys, warnings
before = sys._is_gil_enabled()
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    import bd_ft_gil_used
print(json.dumps({"before": before, "after": sys._is_gil_enabled(),
                  "warnings": [(c.category.__name__, str(c.message)) for c in w]}))
"""


def test_importing_a_gil_used_module_enables_the_gil_with_a_warning():
    real = child(IMPORT)
    assert real["before"] is False and real["after"] is True
    assert len(real["warnings"]) == 1
    kind, text = real["warnings"][0]
    assert kind == "RuntimeWarning" and text.startswith(WARNING)
    assert "PYTHON_GIL=0" in text  # CPython names the override
    # The model: a module declared gil_used = true gives exactly one gil_enabled step.
    t = bound_demo.run({"format": "bound_demo.program/1", "ops": [], "gil_used": True},
                       pyo3="0.28", free_threaded=True)
    assert [s.event for s in t.steps] == ["gil_enabled", "end"]


def test_python_gil_0_keeps_it_disabled_without_a_warning():
    real = child(IMPORT, PYTHON_GIL="0")
    assert real == {"before": False, "after": False, "warnings": []}


def test_the_programs_witness_declares_gil_used_false():
    code = IMPORT.replace("bd_ft_gil_used", "bd_witness_028_ft")
    assert child(code) == {"before": False, "after": False, "warnings": []}


BORROW = """
import json, sys, warnings
warnings.simplefilter("ignore")
import bd_ft_gil_used as m
outcomes = m.borrow_mut_in_two_threads(m.Counter(), 50)
print(json.dumps({"gil": sys._is_gil_enabled(), "outcomes": sorted(outcomes)}))
"""


def test_two_threads_borrow_mut_one_pyclass():
    # #5412: with no GIL, two attached threads really borrow at once; one gets the error.
    assert child(BORROW, PYTHON_GIL="0") == {"gil": False, "outcomes": ["Already borrowed", "ok"]}
    # With the GIL enabled (the import did it), the second attach waits: both succeed.
    assert child(BORROW) == {"gil": True, "outcomes": ["ok", "ok"]}


def test_get_item_unchecked_exists_on_the_free_threaded_build():
    # The module compiled for cp313t calls it, so it is there (PyO3's 0.23.0 changelog said it
    # would be left out, #4539; 0.23.5 to 0.30.1 define it on Py_GIL_DISABLED too).
    code = ("import json, warnings; warnings.simplefilter('ignore'); import bd_ft_gil_used as m\n"
            "x = object(); l = [x]\nprint(json.dumps([m.unchecked_first(l) is x, m.unchecked_first.__name__]))")
    assert child(code, PYTHON_GIL="0") == [True, "unchecked_first"]


def test_thread_scaling_command_runs_both_builds_on_one_and_two_threads():
    # The measurement itself is run by hand on a quiet machine; this checks the command works.
    script = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "bench-thread-scaling.py")
    out = subprocess.run([str(ft.interpreter()), script, "--iters", "500", "--repeat", "1"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["iters_per_thread"] == 500 and res["cpus"] == os.cpu_count()
    # What the page prints beside the figures: the locked PyO3 release and the interpreter.
    assert res["pyo3"].startswith("0.28.") and res["python"].endswith("t")
    assert len(res["load_before"]) == len(res["load_after"]) == 3
    for build in ("free_threaded", "gil_forced_on"):
        assert sorted(res[build]["seconds"]) == ["1", "2"]
        assert all(s > 0 for s in res[build]["seconds"].values())
        assert res[build]["ratio_2_over_1"] > 0
