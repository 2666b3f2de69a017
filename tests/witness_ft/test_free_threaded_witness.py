"""The free-threaded witness: real PyO3 0.28.3 on a real free-threaded CPython 3.13.5.

Built by scripts/build-free-threaded.sh (CPython from Debian's source, `--disable-gil`; the
module `bd_witness_028_ft`, `gil_used = false`, in .build/ft-venv). Without it every test here
is skipped with a loud reason; in CI (CI=true) a missing build is a failure.

* the behaviours issue 14 reports, on real runs, and the model agreeing with each;
* every scenario, and BOUND_DEMO_FT_EXAMPLES random programs (2,000 by default) with waits and
  collections added, compared probe by probe with the model's free-threaded build.
"""

import os

import pytest

import bound_demo
from bound_demo import witness
from bound_demo.witness import ft
from bound_demo.witness.differential import compare

from ft_random import random_differential

IN_CI = os.environ.get("CI") == "true"
EXAMPLES = int(os.environ.get("BOUND_DEMO_FT_EXAMPLES", "2000"))
# A program here finishes in milliseconds; a run that takes this long is a hang.
TIMEOUT = float(os.environ.get("BOUND_DEMO_FT_TIMEOUT", "2.0"))


@pytest.fixture(scope="module", autouse=True)
def built():
    if not witness.ft_available():
        if IN_CI:
            pytest.fail(f"free-threaded witness missing in CI: {ft.interpreter()}")
        pytest.skip(f"FREE-THREADED WITNESS NOT BUILT ({ft.interpreter()}); run scripts/build-free-threaded.sh")


def prog(*ops):
    return {"format": "bound_demo.program/1", "ops": list(ops)}


def attach(*body):
    return {"op": "attach", "body": list(body)}


def thread(name, *body):
    return {"op": "thread", "name": name, "body": list(body)}


WARM = thread("w", attach())
GC = {"op": "gc_collect"}


def real(p):
    return witness.run(p, pyo3="0.28", features=("py-clone",), free_threaded=True, timeout=TIMEOUT)


def both(p):
    """(real error kind, model error kind); the model must agree probe by probe too."""
    r = real(p)
    m = bound_demo.run(p, pyo3="0.28", free_threaded=True)
    assert compare(p, "0.28", ("py-clone",), free_threaded=True) is None
    return (r.error and r.error.kind, m.error and m.error.kind), r


def test_the_interpreter_is_free_threaded_and_stays_so():
    assert ft.gil_enabled() is False
    r = real(prog(attach({"op": "probe", "label": "p"})))
    assert r.crate == "0.28.3" and r.error is None and r.at("p").holds_gil is True


def test_worker_that_attached_before_reattaches_and_runs():
    kinds, r = both(prog(WARM, attach(thread("w", attach({"op": "probe", "label": "in"})))))
    assert kinds == (None, None)
    assert [label for label, _ in r.probes] == ["in"]
    # The GIL build deadlocks on the same program.
    assert bound_demo.run(prog(WARM, attach(thread("w", attach()))), pyo3="0.28").error.kind == "deadlock"


def test_gc_collect_on_that_worker_hangs():
    kinds, r = both(prog(WARM, attach(thread("w", attach(GC)))))
    assert kinds == ("hang", "hang")
    assert r.error.op_path == "ops[1].body[0].body[0].body[0]"


def test_a_brand_new_threads_first_attach_hangs():
    kinds, r = both(prog(attach(thread("w", attach({"op": "probe", "label": "in"})))))
    assert kinds == ("hang", "hang")
    assert r.probes == []


def test_detaching_around_the_join_makes_all_three_run():
    for warm in ((), (WARM,)):
        p = prog(*warm, attach({"op": "detach", "body": [thread("w", attach(GC, {"op": "probe", "label": "in"}))]}))
        kinds, r = both(p)
        assert kinds == (None, None)
        assert [label for label, _ in r.probes] == ["in"]


def test_a_decref_queued_for_the_owner_keeps_the_object_alive():
    p = bound_demo.scenarios.get("ft_join_attached")
    kinds, r = both(p)
    assert kinds == (None, None)
    o = r.at("joined").objects["o1"]
    assert (o.refcount, o.alive) == (1, True)


@pytest.mark.parametrize("name", bound_demo.scenarios.names())
def test_every_scenario_agrees(name):
    for features in ((), ("py-clone",)):
        mm = compare(bound_demo.scenarios.get(name), "0.28", features, free_threaded=True)
        assert mm is None, str(mm)


def test_random_programs_agree():
    seconds, kinds, mismatches = random_differential("0.28", EXAMPLES)
    print(f"\n{EXAMPLES} random free-threaded programs in {seconds:.1f} s: {kinds}")
    assert not mismatches, f"{len(mismatches)} mismatches; first:\n" + "\n\n".join(mismatches[:3])
    # The mix must reach the cases that differ from a GIL build.
    if EXAMPLES >= 200:
        assert kinds.get("hang", 0) > 0 and kinds.get("ok", 0) > 0


def test_bench_bound_runs_on_one_and_two_threads():
    import subprocess
    code = ("import bd_witness_028_ft as m; "
            "print(m.bench_bound(1, 2000) > 0, m.bench_bound(2, 2000) > 0)")
    out = subprocess.run([str(ft.interpreter()), "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True"]
