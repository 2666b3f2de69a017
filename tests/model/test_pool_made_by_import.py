"""When the lazy reference pool comes into being: the first deferred decref in 0.22–0.29.2;
in 0.29.3 the module's own import, so a program finds it made.

v0.29.3:src/internal/state.rs L260-L272: `SuspendAttach::drop` drains through `get_pool()`,
which is `POOL.get_or_init(ReferencePool::new)`; v0.29.2 (and 0.26.0 … 0.28.3) asked
`POOL.get()` at the same place, so a detach with nothing queued left the `OnceLock` empty.
`ModuleDef::make_module` (src/impl_/pymodule.rs L175-L203) fills two `PyOnceLock`s, and a first
fill detaches (src/sync/once_lock.rs L173-L193): in 0.29.3 the import itself creates POOL. Real
PyO3 observed in tests/witness/test_pool_oncelock.py.
"""

import pytest

import bound_demo
from bound_demo.versions import profile
from modelkit import P, probe

NOPOOL = ("pyo3_disable_reference_pool",)


def _empty_detach(v, cfg=()):
    """Attach, probe, detach with nothing in it, probe, detach again, probe."""
    return bound_demo.run(P({"op": "gil", "body": [
        probe("attached"), {"op": "nogil", "body": [probe("inside")]}, probe("after"),
        {"op": "nogil", "body": []}, probe("again")]}), pyo3=v, cfg=cfg)


def _seen(t):
    return tuple(t.at(label).reference_pool_initialised
                 for label in ("attached", "inside", "after", "again"))


@pytest.mark.parametrize("v,made", [("0.21", True), ("0.22", False), ("0.26", False),
                                    ("0.28", False), ("0.29", True), ("0.30", True)])
def test_only_029_finds_its_lazy_pool_made_at_the_first_step(v, made):
    t = _empty_detach(v)
    assert t.error is None
    assert t.state_at(0).reference_pool_initialised is made
    assert _seen(t) == (made,) * 4 and t.final.reference_pool_initialised is made
    assert t.at("again").pending_decrefs == []


def test_no_pool_to_make_without_the_reference_pool():
    t = _empty_detach("0.29", NOPOOL)
    assert t.error is None and _seen(t) == (False,) * 4


def test_029_is_still_the_lazy_oncelock_but_made_by_the_import():
    p = profile("0.29")
    assert (p.lazy_reference_pool, p.pool_made_by_import, p.pool_from_start) == (True, True, True)
    assert [v for v in ("0.22", "0.25", "0.28", "0.29", "0.30")
            if profile(v).pool_made_by_import] == ["0.29"]
    assert profile("0.28").pool_from_start is False


def test_029_queues_and_drains_as_before():
    """Only the pool's existence moved: the detached drop still waits, the reattach applies it."""
    t = bound_demo.run(P({"op": "gil", "body": [
        {"op": "new", "as": "p", "type": "object", "api": "py"},
        {"op": "nogil", "body": [{"op": "drop", "src": "p"}, probe("queued")]}, probe("back")]}),
        pyo3="0.29")
    assert t.at("queued").pending_decrefs == ["o1"] and t.at("queued").objects["o1"].refcount == 1
    assert t.at("back").pending_decrefs == [] and t.at("back").objects["o1"].alive is False
