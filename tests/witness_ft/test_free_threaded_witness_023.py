"""The second free-threaded witness build: real PyO3 0.23.5, the first release that builds for
a free-threaded Python, on the same CPython 3.13.5t (module `bd_witness_023_ft`, built by
scripts/build-free-threaded.sh). Its module declares `gil_used = false`; a 0.23 module that
says nothing would have turned the GIL on, so every program compared here carries the
program key `"gil_used": false`, and one test shows what the model does without it.
Without the build every test is skipped loudly; in CI a missing build is a failure."""

import json
import os

import pytest

import bound_demo
from bound_demo import witness
from bound_demo.witness import ft
from bound_demo.witness.differential import compare

from ft_random import random_differential

IN_CI = os.environ.get("CI") == "true"
EXAMPLES = int(os.environ.get("BOUND_DEMO_FT_EXAMPLES_023", "500"))
TIMEOUT = float(os.environ.get("BOUND_DEMO_FT_TIMEOUT", "2.0"))
MODULE = ft.MODULES["0.23"]


@pytest.fixture(scope="module", autouse=True)
def built():
    try:
        ft.gil_enabled(MODULE)
    except ft.FreeThreadedUnavailable as e:
        if IN_CI:
            pytest.fail(f"{MODULE} missing in CI: {e}")
        pytest.skip(f"FREE-THREADED WITNESS {MODULE} NOT BUILT ({e}); run scripts/build-free-threaded.sh")


def declared(p):
    """The program for a 0.23 module declared `gil_used = false`, with 0.26's `attach`/`detach`
    written release-neutrally (`gil`/`nogil`), which 0.23 spells `with_gil`/`allow_threads`."""
    text = json.dumps(p).replace('"op": "attach"', '"op": "gil"').replace('"op": "detach"', '"op": "nogil"')
    return dict(json.loads(text), gil_used=False)


def test_it_is_pyo3_0_23_5_and_keeps_the_gil_off():
    assert ft.gil_enabled(MODULE) is False
    p = {"format": "bound_demo.program/1", "ops": [{"op": "with_gil", "body": [{"op": "probe", "label": "p"}]}]}
    r = witness.run(p, pyo3="0.23", free_threaded=True, timeout=TIMEOUT)
    assert r.crate == "0.23.5" and r.error is None and r.at("p").holds_gil is True


@pytest.mark.parametrize("name", bound_demo.scenarios.names())
def test_every_scenario_agrees(name):
    for features in ((), ("py-clone",)):
        mm = compare(declared(bound_demo.scenarios.get(name)), "0.23", features, free_threaded=True)
        assert mm is None, str(mm)


def test_the_thread_scenarios_end_as_on_0_28():
    # 0.23 and 0.28 share CPython 3.13t: the same deadlock-free joins and the same hangs.
    ends = {}
    for name in ("ft_join_attached", "ft_first_attach", "deadlock", "detach"):
        r = witness.run(declared(bound_demo.scenarios.get(name)), pyo3="0.23", free_threaded=True,
                        timeout=TIMEOUT)
        ends[name] = r.error and r.error.kind
    assert ends == {"ft_join_attached": None, "ft_first_attach": "hang", "deadlock": "hang",
                    "detach": None}


def test_without_the_declaration_the_model_turns_the_gil_on():
    # The model's 0.23 default is a module that says nothing, which CPython answers by enabling
    # the GIL: the join deadlocks. The real module here declares gil_used = false and runs.
    p = declared(bound_demo.scenarios.get("ft_join_attached"))
    undeclared = {k: v for k, v in p.items() if k != "gil_used"}
    assert bound_demo.run(undeclared, pyo3="0.23", free_threaded=True).error.kind == "deadlock"
    assert bound_demo.run(p, pyo3="0.23", free_threaded=True).error is None
    assert witness.run(p, pyo3="0.23", free_threaded=True, timeout=TIMEOUT).error is None


def test_random_programs_agree():
    seconds, kinds, mismatches = random_differential("0.23", EXAMPLES, declared)
    print(f"\n{EXAMPLES} random programs on 0.23.5/3.13t in {seconds:.1f} s: {kinds}")
    assert not mismatches, f"{len(mismatches)} mismatches; first:\n" + "\n\n".join(mismatches[:3])
    if EXAMPLES >= 200:
        assert kinds.get("hang", 0) > 0 and kinds.get("ok", 0) > 0


def test_get_item_unchecked_exists_in_0_23_5_on_3_13t():
    import subprocess
    code = ("import bd_witness_023_ft as m, sys\nx = object()\n"
            "print(m.unchecked_first([x]) is x, sys._is_gil_enabled())")
    out = subprocess.run([str(ft.interpreter()), "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "False"]
