"""PyO3 0.30.1 against the model: the reference pool after #6200, and the leak cfg that no
longer leaks (witness/README.md). Exact values from the bd_witness_030* builds."""

import pytest

import bound_demo
from bound_demo import witness
from witkit import IN_CI, alive, block, new, op, probe, rc, ret, run

NOPOOL = ("pyo3_disable_reference_pool",)
LEAK = ("pyo3_disable_reference_pool", "pyo3_leak_on_drop_without_reference_pool")


def test_030_queues_a_detached_drop_and_drains_it_on_reattach():
    r = run([block("attach", new("p"), op("clone_ref", "p", "q"), probe("two"),
                   block("detach", op("drop", "q"), probe("queued")), probe("drained"))], "0.30")
    assert r.crate == "0.30.1"
    assert (rc(r, "two"), rc(r, "queued"), rc(r, "drained")) == (2, 2, 1)


def test_030_nested_attach_drains_what_another_thread_queued():
    r = run([block("attach", new("p"), op("clone_ref", "p", "r"), op("send", "r", to="t"),
                   block("thread", op("drop", "r"), name="t"), probe("pending"),
                   block("attach", probe("nested")))], "0.30")
    assert (rc(r, "pending"), rc(r, "nested")) == (2, 1)


def test_030_without_the_pool_aborts_with_the_attached_wording():
    r = run([block("attach", new("p"), probe("made"), ret("p"), as_="p"), probe("detached"),
             op("drop", "p"), probe("never")], "0.30", cfg=NOPOOL)
    assert r.error.kind == "abort" and "without the thread being attached" in r.error.message
    assert r.error.op_path == "ops[2]" and [label for label, _ in r.probes] == ["made", "detached"]


def _hanging_drop(timeout):
    prog = {"format": "bound_demo.program/1", "ops": [
        block("attach", new("p"), probe("made"), ret("p"), as_="p"), probe("detached"),
        op("drop", "p"), probe("never")]}
    try:
        return prog, witness.run(prog, pyo3="0.30", features=(), cfg=LEAK, timeout=timeout)
    except witness.WitnessUnavailable as e:
        if IN_CI:
            pytest.fail(f"witness build missing in CI: {e}")
        pytest.skip(f"WITNESS NOT BUILT ({e}); run scripts/build-witness.sh")


def test_030_leak_cfg_drop_without_attachment_never_returns():
    """0.29.3 leaks here (test_errors.py); 0.30.1 spins in register_decref -> Drop -> ..."""
    prog, r = _hanging_drop(3.0)
    assert r.error.kind == "deadlock" and "did not finish" in r.error.message
    assert r.error.op_path == "ops[2]" and [label for label, _ in r.probes] == ["made", "detached"]
    t = bound_demo.run(prog, pyo3="0.30", cfg=LEAK)
    assert t.error.kind == "hang" and t.error.op_path == "ops[2]"
    assert list(t.labels) == ["made", "detached"]


def test_030_leak_cfg_build_drops_while_attached_as_usual():
    r = run([block("attach", new("p"), op("clone_ref", "p", "q"), probe("two"), op("drop", "q"),
                   probe("one"), op("drop", "p"), probe("gone"))], "0.30", (), LEAK)
    assert (rc(r, "two"), rc(r, "one"), alive(r, "gone")) == (2, 1, False)
