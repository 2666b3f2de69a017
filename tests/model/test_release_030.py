"""Release line 0.30 (pyo3 0.30.1): what changed against 0.29, with exact values.

v0.30.1:src/internal/state.rs: `static POOL: ReferencePool = ReferencePool::new()` (L271-L272, a
plain static again, where 0.22–0.29 had a `OnceLock` made by the first deferred decref); a
`dirty: AtomicBool` set after every push (L219-L228) and cleared by the one thread whose
`compare_exchange(true, false)` succeeds before it takes the queue (L243-L268); drains where
0.29 drains: `AttachGuard::attach`/`assume` (L152-L170) and `SuspendAttach::drop` (L300-L313).
"""

import pytest

import bound_demo
from bound_demo import cli, scenarios
from bound_demo.versions import CFGS, FEATURES, PATCH, RELEASES, profile
from modelkit import P, probe, rc

NOPOOL = ("pyo3_disable_reference_pool",)
LEAK = ("pyo3_disable_reference_pool", "pyo3_leak_on_drop_without_reference_pool")
NEW_PY = {"op": "new", "as": "p", "type": "object", "api": "py"}


def test_release_table_row():
    assert RELEASES[-1] == "0.30" and PATCH["0.30"] == "0.30.1"
    assert "0.30" in FEATURES["py-clone"] and "0.30" not in FEATURES["gil-refs"]
    assert all("0.30" in CFGS[c] for c in CFGS)
    p = profile("0.30.1")
    assert p.pyo3 == "0.30" and p.label == "PyO3 0.30"
    assert (p.lazy_reference_pool, p.dirty_flag, p.pool_from_start) == (False, True, True)
    assert (p.attach_names, p.with_gil_names, p.bound_api, p.gil_ref_api) == (True, False, True, False)
    assert (p.nested_guard_counts, p.deferred_increfs, p.py_clone) == (True, False, False)
    assert profile("0.30", features=("py-clone",)).py_clone is True
    assert profile("0.30", cfg=NOPOOL).pool_from_start is False
    old = profile("0.29")
    # 0.29.3's OnceLock is filled by the module's import (test_pool_made_by_import.py).
    assert (old.lazy_reference_pool, old.dirty_flag, old.pool_from_start) == (True, False, True)
    assert profile("0.28").pool_from_start is False


def test_gil_refs_feature_is_refused_on_030():
    with pytest.raises(ValueError, match="does not exist in PyO3 0.30"):
        profile("0.30", features=("gil-refs",))


def _queued_then_drained(v, cfg=()):
    return bound_demo.run(P({"op": "gil", "body": [NEW_PY, probe("before"), {"op": "nogil", "body": [
        {"op": "drop", "src": "p"}, probe("queued")]}, probe("back")]}), pyo3=v, cfg=cfg)


@pytest.mark.parametrize("v,initially", [("0.28", False), ("0.29", True), ("0.30", True)])
def test_pool_is_a_plain_static_again_in_030(v, initially):
    t = _queued_then_drained(v)
    assert t.state_at(0).reference_pool_initialised is initially
    assert t.at("before").reference_pool_initialised is initially
    assert t.at("queued").reference_pool_initialised is True
    assert t.at("queued").pending_decrefs == ["o1"] and rc(t.at("queued")) == {"o1": 1}
    assert t.at("back").pending_decrefs == [] and rc(t.at("back")) == {"o1": 0}


def test_every_step_of_030_has_the_pool_and_none_without_it():
    t = _queued_then_drained("0.30")
    assert [s.state.reference_pool_initialised for s in t.steps] == [True] * len(t.steps)
    t = _queued_then_drained("0.30", NOPOOL)
    assert [s.state.reference_pool_initialised for s in t.steps] == [False] * len(t.steps)
    assert t.error.kind == "abort"


def test_leak_cfg_drop_never_returns_on_030():
    """Real 0.30.1 (witness `bd_witness_030_leak`) never returns from this drop, where 0.29.3
    leaks the object: `register_decref(obj: Py<PyAny>)` drops `obj` again (state.rs L353-L366)."""
    t = _queued_then_drained("0.30", LEAK)
    assert t.error.kind == "hang" and t.error.op_path == "ops[0].body[2].body[0]"
    assert "never returns" in t.error.message and "std::mem::forget" in t.error.message
    assert t.labels == {"before": 2} and rc(t.at("before")) == {"o1": 1}
    assert t.final.leaked == [] and t.final.handles["p"].status == "live"
    old = _queued_then_drained("0.29", LEAK)
    assert old.error is None and old.at("queued").leaked == ["o1"]
    assert profile("0.30", cfg=LEAK).leak_drop_never_returns is True
    assert profile("0.29", cfg=LEAK).leak_drop_never_returns is False


def test_030_drains_where_029_drains():
    """A queued decref is applied by the nested attach (`AttachGuard::assume`) in both."""
    prog = P({"op": "gil", "body": [NEW_PY, {"op": "clone_ref", "src": "p", "as": "r"},
                                    {"op": "send", "src": "r", "to": "t"},
                                    {"op": "thread", "name": "t", "body": [{"op": "drop", "src": "r"}]},
                                    probe("pending"), {"op": "gil", "body": [probe("nested")]}]})
    for v in ("0.29", "0.30"):
        t = bound_demo.run(prog, pyo3=v)
        assert t.at("pending").pending_decrefs == ["o1"] and rc(t.at("pending")) == {"o1": 2}
        assert t.at("nested").pending_decrefs == [] and rc(t.at("nested")) == {"o1": 1}
        drains = [s for s in t.steps if s.event == "drain_decref"]
        assert len(drains) == 1
    assert "AttachGuard::assume, whose compare_exchange cleared the dirty flag" in drains[0].caption
    assert "o1 applied, refcount now 1" in drains[0].caption


def test_030_captions_name_the_dirty_flag_and_029_do_not():
    def queued_caption(v):
        t = _queued_then_drained(v)
        return next(s.caption for s in t.steps if s.event == "drop")
    assert queued_caption("0.30") == ("drop(`p`) without the GIL (ATTACH_COUNT = 0): the decref of "
                                      "o1 waits in the global reference pool (POOL) and sets its "
                                      "dirty flag until a thread takes the GIL")
    assert "dirty" not in queued_caption("0.29")


def _no_gc_flag(v):
    """Objects without `gc_tracked`: 0.30 makes every pyclass a GC type (#6269), the one
    pyclass difference that is meant to show (tests/model/test_gc_scenarios.py asserts it)."""
    if isinstance(v, dict) and all(isinstance(o, dict) and "gc_tracked" in o for o in v.values()):
        return {k: {a: b for a, b in o.items() if a != "gc_tracked"} for k, o in v.items()}
    return v


# The scenario written to show a 0.29 / 0.30 difference (#6269; test_gc_scenarios.py has its values).
DIFFERS = {"subclass_type_leak"}


@pytest.mark.parametrize("name", scenarios.names())
def test_every_scenario_runs_on_030_as_on_029(name):
    """Everything but the pool's existence is the same as 0.29 for every scenario, with and
    without the pool (the leak cfg differs: see above), except the one meant to differ."""
    prog = scenarios.get(name)
    for features, cfg in (((), ()), (("py-clone",), ()), ((), NOPOOL)):
        a = bound_demo.run(prog, pyo3="0.29", features=features, cfg=cfg)
        b = bound_demo.run(prog, pyo3="0.30", features=features, cfg=cfg)
        if name in DIFFERS:
            assert (a.final.last_gc["freed"], b.final.last_gc["freed"]) == ([], ["o1"])
            continue
        assert (a.error and a.error.kind) == (b.error and b.error.kind)
        assert [s.event for s in a.steps] == [s.event for s in b.steps]
        strip = lambda t: [{k: _no_gc_flag(v) for k, v in s.state.to_dict().items()  # noqa: E731
                            if k != "reference_pool_initialised"} for s in t.steps]
        assert strip(a) == strip(b)


def test_withgil_spelling_is_absent_on_030():
    t = bound_demo.run(P({"op": "with_gil", "body": []}), pyo3="0.30")
    assert t.error.kind == "compile_error" and "removed in 0.28" in t.error.message


def test_cli_runs_030(capsys):
    assert cli.main(["run", "detach", "--pyo3", "0.30"]) == 0
    assert "ATTACH_COUNT" in capsys.readouterr().out
    assert cli.main(["run", "detach", "--pyo3", "0.31"]) == 2
    assert "0.30" in capsys.readouterr().err


def test_default_release_is_still_029_everywhere():
    """0.30 is offered everywhere, but the default stays 0.29 until the 0.30 pages exist."""
    import inspect

    from bound_demo.versions import DEFAULT_RELEASE
    from bound_demo.views import releases
    assert DEFAULT_RELEASE == "0.29" and releases.DEFAULT_RELEASE == DEFAULT_RELEASE and "0.30" in releases.RELEASES
    assert inspect.signature(bound_demo.run).parameters["pyo3"].default == DEFAULT_RELEASE
    assert bound_demo.run(P({"op": "gil", "body": []})).pyo3 == "0.29"


@pytest.mark.parametrize("api,statuses", [
    ("Py::from_owned_ptr", ("present", "deprecated", "deprecated", "removed")),
    ("Py::from_borrowed_ptr_or_opt", ("present", "deprecated", "deprecated", "removed")),
    ("Py::get_refcnt", ("present", "present", "deprecated", "deprecated")),
    ("#[pyclass(skip_from_py_object)]", ("present", "present", "present", "deprecated")),
])
def test_030_removals_and_deprecations_in_the_release_table(api, statuses):
    from bound_demo.versions import api_status
    assert tuple(api_status(api, v) for v in ("0.27", "0.28", "0.29", "0.30")) == statuses
