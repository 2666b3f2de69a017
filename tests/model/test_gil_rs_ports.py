"""PyO3's own tests of src/gil.rs, ported by name to programs for the releases where they
exist. Each docstring cites the original; where a test drives internals the format cannot
name (`register_owned`, `GILPool::new`), the closest program is used and the difference said."""

import pytest

import bound_demo
from modelkit import P, gil, probe, rc

R020_021 = ["0.20", "0.21"]


@pytest.mark.parametrize("v", R020_021)
def test_owned(v):
    """v0.20.3:src/gil.rs `test_owned` (L558): an object registered in a nested pool is
    released when that pool drops; a second pool then sees an empty OWNED_OBJECTS."""
    t = bound_demo.run(P(gil(
        {"op": "new", "as": "obj", "type": "object", "api": "py"},
        {"op": "clone_ref", "src": "obj", "as": "_ref"},
        {"op": "new_pool", "body": [
            {"op": "into_ref", "src": "obj", "as": "g"},
            probe("registered")]},
        {"op": "new_pool", "body": [probe("second_pool")]})), pyo3=v)
    assert t.error is None
    s = t.at("registered")
    assert s.threads["main"].owned == ["o1"]
    assert rc(s) == {"o1": 2}
    s = t.at("second_pool")
    assert s.threads["main"].owned == []
    assert rc(s) == {"o1": 1}


@pytest.mark.parametrize("v", R020_021)
def test_owned_nested(v):
    """v0.20.3:src/gil.rs `test_owned_nested` (L583): an inner pool releases only what was
    registered after its watermark."""
    t = bound_demo.run(P(gil(
        {"op": "new", "as": "obj", "type": "object", "api": "py"},
        {"op": "clone_ref", "src": "obj", "as": "_ref"},
        {"op": "new_pool", "body": [
            probe("empty"),
            {"op": "into_ref", "src": "obj", "as": "g"},
            probe("one"),
            {"op": "new_pool", "body": [
                {"op": "new", "as": "other", "type": "object", "api": "gil_ref"},
                probe("two")]},
            probe("one_again")]},
        probe("after"))), pyo3=v)
    assert t.error is None
    assert t.at("empty").threads["main"].owned == []
    assert t.at("one").threads["main"].owned == ["o1"]
    assert rc(t.at("one"))["o1"] == 2
    assert t.at("two").threads["main"].owned == ["o1", "o2"]
    assert t.at("one_again").threads["main"].owned == ["o1"]
    assert rc(t.at("one_again")) == {"o1": 2, "o2": 0}
    assert t.at("after").threads["main"].owned == []
    assert rc(t.at("after")) == {"o1": 1, "o2": 0}


@pytest.mark.parametrize("v", ["0.20", "0.21", "0.22", "0.23", "0.29"])
def test_pyobject_drop_with_gil_decreases_refcnt(v):
    """gil.rs `test_pyobject_drop_with_gil_decreases_refcnt` (v0.20.3 L616, v0.23.5 L461)."""
    t = bound_demo.run(P({"op": "gil", "body": [
        {"op": "new", "as": "obj", "type": "object", "api": "py"},
        {"op": "clone_ref", "src": "obj", "as": "reference"},
        probe("two"),
        {"op": "drop", "src": "reference"},
        probe("one")]}), pyo3=v)
    assert rc(t.at("two")) == {"o1": 2}
    assert t.at("two").pending_increfs == []
    assert rc(t.at("one")) == {"o1": 1}
    assert t.at("one").pending_decrefs == []


@pytest.mark.parametrize("v", ["0.20", "0.21", "0.22", "0.23", "0.29"])
def test_pyobject_drop_without_gil_doesnt_decrease_refcnt(v):
    """gil.rs `test_pyobject_drop_without_gil_doesnt_decrease_refcnt` (v0.20.3 L636,
    v0.23.5 L483): a drop on a thread without the GIL is queued; the next acquisition applies it."""
    t = bound_demo.run(P({"op": "gil", "as": "obj", "body": [
        {"op": "new", "as": "o", "type": "object", "api": "py"},
        {"op": "clone_ref", "src": "o", "as": "reference"},
        {"op": "send", "src": "reference", "to": "t"},
        {"op": "thread", "name": "t", "body": [{"op": "drop", "src": "reference"}]},
        probe("queued"),
        {"op": "return", "src": "o"}]},
        {"op": "gil", "body": [probe("released")]}), pyo3=v)
    assert t.error is None
    s = t.at("queued")
    assert rc(s) == {"o1": 2}
    assert s.pending_increfs == [] and s.pending_decrefs == ["o1"]
    s = t.at("released")
    assert rc(s) == {"o1": 1}
    assert s.pending_decrefs == []


def test_gil_counts_020():
    """v0.20.3:src/gil.rs `test_gil_counts` (L668): with_gil = 1, each pool +1, a nested
    with_gil does not change the count. (The original drops the outer pool first; blocks
    nest, so here the inner pool is dropped first — the counts are the same.)"""
    t = bound_demo.run(P(probe("start"), gil(
        probe("with_gil"),
        {"op": "new_pool", "body": [
            probe("pool"),
            {"op": "new_pool", "body": [
                probe("pool2"),
                gil(probe("nested_with_gil"))]},
            probe("pool_again")]},
        probe("with_gil_again")), probe("end")), pyo3="0.20")
    counts = {k: t.at(k).threads["main"].gil_count for k in t.labels}
    assert counts == {"start": 0, "with_gil": 1, "pool": 2, "pool2": 3, "nested_with_gil": 3,
                      "pool_again": 2, "with_gil_again": 1, "end": 0}


@pytest.mark.parametrize("v", ["0.23", "0.29"])
def test_gil_counts_023(v):
    """v0.23.5:src/gil.rs `test_gil_counts` (L517): with_gil = 1, each assumed guard +1 (a
    #[pyfunction] call's trampoline is `GILGuard::assume`), and a nested with_gil +1."""
    t = bound_demo.run(P(probe("start"), {"op": "gil", "body": [
        probe("with_gil"),
        {"op": "pyfunction", "body": [
            probe("assume"),
            {"op": "pyfunction", "body": [probe("assume2")]},
            probe("assume_dropped"),
            {"op": "gil", "body": [probe("nested_with_gil")]}]},
        probe("with_gil_again")]}, probe("end")), pyo3=v)
    counts = {k: t.at(k).threads["main"].gil_count for k in t.labels}
    assert counts == {"start": 0, "with_gil": 1, "assume": 2, "assume2": 3, "assume_dropped": 2,
                      "nested_with_gil": 3, "with_gil_again": 1, "end": 0}


@pytest.mark.parametrize("v", ["0.20", "0.22", "0.29"])
def test_allow_threads(v):
    """gil.rs `test_allow_threads` (v0.20.3 L698): inside allow_threads the count is 0 and a
    with_gil there takes the GIL again (count 1)."""
    t = bound_demo.run(P(probe("before"), {"op": "gil", "body": [
        probe("held"),
        {"op": "nogil", "body": [
            probe("released"),
            {"op": "gil", "body": [probe("inner")]},
            probe("released_again")]},
        probe("held_again")]}, probe("after")), pyo3=v)
    st = {k: (t.at(k).threads["main"].gil_count, t.at(k).threads["main"].holds_gil) for k in t.labels}
    assert st == {"before": (0, False), "held": (1, True), "released": (0, False),
                  "inner": (1, True), "released_again": (0, False), "held_again": (1, True),
                  "after": (0, False)}


@pytest.mark.parametrize("v", R020_021)
def test_allow_threads_updates_refcounts(v):
    """v0.20.3:src/gil.rs `test_allow_threads_updates_refcounts` (L719): a clone made inside
    allow_threads is queued and applied when allow_threads returns: refcount 2, then 1."""
    t = bound_demo.run(P(gil(
        {"op": "new", "as": "obj", "type": "object", "api": "py"},
        probe("one"),
        {"op": "allow_threads", "as": "escaped_ref", "body": [
            {"op": "clone", "src": "obj", "as": "c"}, {"op": "return", "src": "c"}]},
        probe("two"),
        {"op": "drop", "src": "escaped_ref"},
        probe("one_again"))), pyo3=v)
    assert [rc(t.at(k))["o1"] for k in ("one", "two", "one_again")] == [1, 2, 1]


@pytest.mark.parametrize("v", ["0.22", "0.23", "0.29"])
def test_allow_threads_clone_panics_from_022(v):
    """v0.23.5:src/gil.rs L567-L577: the same clone panics once deferred increfs are gone."""
    t = bound_demo.run(P({"op": "gil", "body": [
        {"op": "new", "as": "obj", "type": "object", "api": "py"},
        {"op": "nogil", "as": "e", "body": [
            {"op": "clone", "src": "obj", "as": "c"}, {"op": "return", "src": "c"}]}]}),
        pyo3=v, features=("py-clone",))
    assert t.error.kind == "panic"
    assert t.error.op_path == "ops[0].body[1].body[0]"


@pytest.mark.parametrize("v", R020_021)
def test_dropping_gil_does_not_invalidate_references(v):
    """v0.20.3:src/gil.rs `dropping_gil_does_not_invalidate_references` (L735): a GIL ref made
    inside a nested with_gil belongs to the outer pool and is still alive (refcount 1)."""
    t = bound_demo.run(P(gil(
        gil({"op": "new", "as": "obj", "type": "object", "api": "gil_ref"}),
        probe("after_inner"))), pyo3=v)
    assert rc(t.at("after_inner")) == {"o1": 1}
    assert t.at("after_inner").threads["main"].owned == ["o1"]


@pytest.mark.parametrize("v,feat", [("0.20", ()), ("0.21", ()), ("0.22", ("py-clone",)),
                                    ("0.29", ("py-clone",))])
def test_clone_with_gil(v, feat):
    """gil.rs `test_clone_with_gil` (v0.20.3 L746, v0.23.5 L593): +1 at once."""
    t = bound_demo.run(P({"op": "gil", "body": [
        {"op": "new", "as": "obj", "type": "object", "api": "py"},
        {"op": "clone", "src": "obj", "as": "c"}, probe("cloned")]}), pyo3=v, features=feat)
    assert rc(t.at("cloned")) == {"o1": 2}


@pytest.mark.parametrize("v", R020_021)
def test_clone_without_gil(v):
    """v0.20.3:src/gil.rs `test_clone_without_gil` (L788): a clone without the GIL leaves the
    count alone until the pool is processed, then it is one higher."""
    t = bound_demo.run(P(gil(
        {"op": "new", "as": "obj", "type": "object", "api": "py"},
        {"op": "allow_threads", "as": "cloned", "body": [
            {"op": "clone", "src": "obj", "as": "c"},
            probe("queued"),
            {"op": "return", "src": "c"}]},
        probe("applied"),
        {"op": "drop", "src": "cloned"},
        probe("back"))), pyo3=v)
    assert rc(t.at("queued")) == {"o1": 1}
    assert t.at("queued").pending_increfs == ["o1"]
    assert rc(t.at("applied")) == {"o1": 2}
    assert rc(t.at("back")) == {"o1": 1}


@pytest.mark.parametrize("v", R020_021)
def test_clone_in_other_thread(v):
    """v0.20.3:src/gil.rs `test_clone_in_other_thread` (L853): a clone made and dropped on a
    thread without the GIL queues one incref and one decref; acquiring the GIL clears both and
    the count is unchanged."""
    t = bound_demo.run(P(gil(
        {"op": "new", "as": "obj", "type": "object", "api": "py"},
        {"op": "clone_ref", "src": "obj", "as": "thread_obj"},
        {"op": "send", "src": "thread_obj", "to": "t"},
        {"op": "drop", "src": "obj"},
        {"op": "thread", "name": "t", "body": [
            {"op": "clone", "src": "thread_obj", "as": "c"},
            {"op": "drop", "src": "c"},
            probe("in_thread"),
            {"op": "return", "src": "thread_obj"}], "as": "back"},
        probe("queued"),
        {"op": "return", "src": "back"}, as_="keep"), gil(probe("cleared"))), pyo3=v)
    assert t.error is None
    s = t.at("queued")
    assert rc(s) == {"o1": 1}
    assert s.pending_increfs == ["o1"] and s.pending_decrefs == ["o1"]
    s = t.at("cleared")
    assert s.pending_increfs == [] and s.pending_decrefs == []
    assert rc(s) == {"o1": 1}


@pytest.mark.parametrize("v", R020_021)
def test_deferred_incref_after_free_is_unsound(v):
    """Why 0.22 removed deferred increfs (PyO3 #4105): if the last owner drops before the
    queued +1 is applied, the drain touches a freed object."""
    t = bound_demo.run(P(gil(
        {"op": "new", "as": "obj", "type": "object", "api": "py"},
        {"op": "clone_ref", "src": "obj", "as": "r"},
        {"op": "send", "src": "r", "to": "t"},
        {"op": "thread", "name": "t", "as": "c", "body": [
            {"op": "clone", "src": "r", "as": "c2"},
            {"op": "return", "src": "c2"}]},
        probe("queued"),
        {"op": "drop", "src": "obj"},
        {"op": "drop", "src": "c"})), pyo3=v)
    assert t.at("queued").pending_increfs == ["o1"]
    assert t.at("queued").pending_decrefs == ["o1"]
    assert rc(t.at("queued")) == {"o1": 2}
    assert t.error.kind == "unsound"
    assert "queued incref of o1" in t.error.message


@pytest.mark.parametrize("v,feat", [("0.20", ()), ("0.22", ("gil-refs",)), ("0.23", ()), ("0.29", ())])
def test_gil_guard_update_counts(v, feat):
    """v0.22.6:src/gil.rs `test_gil_guard_update_counts` (L845): acquiring a guard, nested or
    not, processes pending decrefs (0.22+). In 0.20 only pool creation drains, so a nested
    with_gil leaves the decref pending."""
    t = bound_demo.run(P({"op": "gil", "body": [
        {"op": "new", "as": "obj", "type": "object", "api": "py"},
        {"op": "clone_ref", "src": "obj", "as": "r"},
        {"op": "send", "src": "r", "to": "t"},
        {"op": "thread", "name": "t", "body": [{"op": "drop", "src": "r"}]},
        probe("pending"),
        {"op": "gil", "body": [probe("nested")]}]}), pyo3=v, features=feat)
    assert t.at("pending").pending_decrefs == ["o1"]
    if v == "0.20":
        assert t.at("nested").pending_decrefs == ["o1"]
        assert rc(t.at("nested")) == {"o1": 2}
    else:
        assert t.at("nested").pending_decrefs == []
        assert rc(t.at("nested")) == {"o1": 1}
