"""When the lazy reference pool comes into being: the first deferred decref in 0.22–0.29, and,
in 0.29.3 only, also the end of the first `detach`, queued or not.

v0.29.3:src/internal/state.rs L260-L272: `SuspendAttach::drop` drains through `get_pool()`,
which is `POOL.get_or_init(ReferencePool::new)`; v0.29.2 (and 0.26.0 … 0.28.3) asked
`POOL.get()` at the same place, so an empty detach left the `OnceLock` empty. The change came
with #6404 (0.29.3). Real PyO3 observed in tests/witness/test_pool_oncelock.py.
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


@pytest.mark.parametrize("v,seen", [
    ("0.22", (False, False, False, False)),
    ("0.26", (False, False, False, False)),
    ("0.28", (False, False, False, False)),
    ("0.29", (False, False, True, True)),
    ("0.30", (True, True, True, True)),
])
def test_an_empty_detach_creates_the_pool_only_in_029(v, seen):
    t = _empty_detach(v)
    assert t.error is None
    assert _seen(t) == seen
    assert t.at("after").pending_decrefs == [] and t.final.reference_pool_initialised is seen[-1]


def test_no_pool_to_create_without_the_reference_pool():
    t = _empty_detach("0.29", NOPOOL)
    assert t.error is None and _seen(t) == (False, False, False, False)


def test_the_row_names_the_end_of_detach_for_029_only():
    assert profile("0.29").drain_creates_pool == ("suspend_exit",)
    assert [v for v in ("0.22", "0.25", "0.28", "0.29", "0.30")
            if profile(v).drain_creates_pool] == ["0.29"]


def test_a_plain_attach_still_leaves_the_029_pool_unmade():
    """`AttachGuard` drains through `drop_deferred_references`, which asks `POOL.get()`
    (v0.29.3 state.rs L237-L243): attaching, nested or not, creates nothing."""
    t = bound_demo.run(P({"op": "gil", "body": [{"op": "gil", "body": [probe("nested")]},
                                                probe("outer")]}), pyo3="0.29")
    assert (t.at("nested").reference_pool_initialised, t.at("outer").reference_pool_initialised) \
        == (False, False)
