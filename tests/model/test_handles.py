"""Exact refcount and pool effects of every handle operation, per release
where they differ. Each case runs one op after a small set-up and checks the object's
refcount, the owned-object pool and the pending queues right after it."""

import pytest

import bound_demo
from modelkit import P, probe, rc


def after(setup, op, pyo3, features=(), cfg=(), block="gil"):
    """Run `setup` then `op` inside one GIL block; the state right after `op`."""
    t = bound_demo.run(P({"op": block, "body": setup + [op, probe("after")]}),
                       pyo3=pyo3, features=features, cfg=cfg)
    assert t.error is None, t.error
    return t.at("after")


NEW_PY = {"op": "new", "as": "p", "type": "object", "api": "py"}
NEW_BOUND = {"op": "new", "as": "b", "type": "object", "api": "bound"}
NEW_GREF = {"op": "new", "as": "g", "type": "object", "api": "gil_ref"}


# ---- 4.1 GIL refs -----------------------------------------------------------------------------
@pytest.mark.parametrize("v,f", [("0.20", ()), ("0.21", ()), ("0.22", ("gil-refs",))])
def test_gil_ref_constructor_registers(v, f):
    s = after([], NEW_GREF, v, f)
    assert rc(s) == {"o1": 1} and s.threads["main"].owned == ["o1"]
    assert s.handles["g"].kind == "gil_ref" and s.handles["g"].owns is False


@pytest.mark.parametrize("v", ["0.20", "0.21"])
def test_gil_ref_list_get_item_increfs_and_registers(v):
    s = after([NEW_PY, {"op": "new", "as": "l", "type": "list", "api": "gil_ref", "items": ["p"]}],
              {"op": "get_item", "src": "l", "index": 0, "as": "x"}, v)
    assert rc(s)["o1"] == 3  # p + the list's slot + get_item's own reference
    assert s.threads["main"].owned == ["o2", "o1"]


@pytest.mark.parametrize("v", ["0.20", "0.21"])
def test_gil_ref_tuple_get_item_is_a_borrowed_cast(v):
    s = after([NEW_PY, {"op": "new", "as": "t", "type": "tuple", "api": "gil_ref", "items": ["p"]}],
              {"op": "get_item", "src": "t", "index": 0, "as": "x"}, v)
    assert rc(s)["o1"] == 2 and s.threads["main"].owned == ["o2"]
    assert s.handles["x"].owns is False


@pytest.mark.parametrize("v", ["0.20", "0.21"])
def test_gil_ref_into_py_is_plus_one(v):
    s = after([NEW_GREF], {"op": "into_py", "src": "g", "as": "p2"}, v)
    assert rc(s) == {"o1": 2} and s.handles["p2"].kind == "py"


@pytest.mark.parametrize("v", ["0.20", "0.21"])
def test_dropping_a_gil_ref_does_nothing(v):
    s = after([NEW_GREF], {"op": "drop", "src": "g"}, v)
    assert rc(s) == {"o1": 1} and s.handles["g"].status == "live"


# ---- 4.2 Py<T> --------------------------------------------------------------------------------
@pytest.mark.parametrize("v", ["0.20", "0.21", "0.22", "0.23", "0.29"])
def test_py_new_is_not_pooled(v):
    s = after([], NEW_PY, v)
    assert rc(s) == {"o1": 1} and s.threads["main"].owned == []


@pytest.mark.parametrize("v", ["0.20", "0.22", "0.29"])
def test_py_clone_ref_plus_one(v):
    assert rc(after([NEW_PY], {"op": "clone_ref", "src": "p", "as": "q"}, v)) == {"o1": 2}


@pytest.mark.parametrize("v", ["0.21", "0.22", "0.29"])
def test_py_drop_ref_minus_one_at_once(v):
    s = after([NEW_PY, {"op": "clone_ref", "src": "p", "as": "q"}], {"op": "drop_ref", "src": "q"}, v)
    assert rc(s) == {"o1": 1} and s.pending_decrefs == []


@pytest.mark.parametrize("v,f", [("0.20", ()), ("0.21", ()), ("0.22", ("gil-refs",))])
def test_py_into_ref_moves_into_pool(v, f):
    s = after([NEW_PY], {"op": "into_ref", "src": "p", "as": "g"}, v, f)
    assert rc(s) == {"o1": 1} and s.threads["main"].owned == ["o1"]
    assert s.handles["p"].status == "moved"


@pytest.mark.parametrize("v,f", [("0.20", ()), ("0.22", ("gil-refs",))])
def test_py_as_ref_borrows(v, f):
    s = after([NEW_PY], {"op": "as_ref", "src": "p", "as": "g"}, v, f)
    assert rc(s) == {"o1": 1} and s.threads["main"].owned == []
    assert s.handles["g"].borrows == "p"


@pytest.mark.parametrize("v", ["0.21", "0.22", "0.29"])
@pytest.mark.parametrize("op,kind", [("bind", "bound_ref"), ("bind_borrowed", "borrowed"),
                                     ("into_bound", "bound")])
def test_py_bind_family_changes_nothing(v, op, kind):
    s = after([NEW_PY], {"op": op, "src": "p", "as": "x"}, v)
    assert rc(s) == {"o1": 1} and s.handles["x"].kind == kind


@pytest.mark.parametrize("v,f,expect", [("0.20", (), "queued"), ("0.21", (), "queued"),
                                        ("0.22", ("py-clone",), "panic"), ("0.29", ("py-clone",), "panic")])
def test_py_clone_without_gil(v, f, expect):
    t = bound_demo.run(P({"op": "gil", "body": [NEW_PY, {"op": "nogil", "body": [
        {"op": "clone", "src": "p", "as": "q"}, probe("x")]}]}), pyo3=v, features=f)
    if expect == "queued":
        assert rc(t.at("x")) == {"o1": 1} and t.at("x").pending_increfs == ["o1"]
    else:
        assert t.error.kind == "panic"


@pytest.mark.parametrize("v,cfg,expect", [
    ("0.20", (), "queued"), ("0.23", (), "queued"), ("0.29", (), "queued"),
    ("0.22", ("pyo3_disable_reference_pool",), "abort"),
    ("0.29", ("pyo3_disable_reference_pool", "pyo3_leak_on_drop_without_reference_pool"), "leak")])
def test_py_drop_without_gil(v, cfg, expect):
    t = bound_demo.run(P({"op": "gil", "body": [NEW_PY, {"op": "nogil", "body": [
        {"op": "drop", "src": "p"}, probe("x")]}, probe("back")]}), pyo3=v, cfg=cfg)
    if expect == "abort":
        assert t.error.kind == "abort"
        return
    s = t.at("x")
    assert rc(s) == {"o1": 1}
    if expect == "queued":
        assert s.pending_decrefs == ["o1"]
        assert rc(t.at("back")) == {"o1": 0}  # drained at the end of allow_threads/detach
    else:
        assert s.pending_decrefs == [] and s.leaked == ["o1"]
        assert rc(t.at("back")) == {"o1": 1}


@pytest.mark.parametrize("v", ["0.22", "0.29"])
def test_py_clone_needs_feature_from_022(v):
    t = bound_demo.run(P({"op": "gil", "body": [NEW_PY, {"op": "clone", "src": "p", "as": "q"}]}), pyo3=v)
    assert t.error.kind == "compile_error" and "py-clone" in t.error.message


# ---- 4.3 Bound ----------------------------------------------------------------------------------
@pytest.mark.parametrize("v", ["0.21", "0.22", "0.23", "0.29"])
def test_bound_clone_plus_one_drop_minus_one(v):
    s = after([NEW_BOUND], {"op": "clone", "src": "b", "as": "c"}, v)
    assert rc(s) == {"o1": 2}
    s = after([NEW_BOUND, {"op": "clone", "src": "b", "as": "c"}], {"op": "drop", "src": "c"}, v)
    assert rc(s) == {"o1": 1} and s.handles["c"].status == "dropped"


@pytest.mark.parametrize("v", ["0.21", "0.29"])
def test_bound_drop_inside_nested_gil_is_immediate(v):
    t = bound_demo.run(P({"op": "gil", "body": [NEW_BOUND, {"op": "gil", "body": [
        {"op": "drop", "src": "b"}, probe("x")]}]}), pyo3=v)
    assert rc(t.at("x")) == {"o1": 0} and t.at("x").pending_decrefs == []


@pytest.mark.parametrize("v", ["0.21", "0.29"])
def test_bound_unbind_moves(v):
    s = after([NEW_BOUND], {"op": "unbind", "src": "b", "as": "p"}, v)
    assert rc(s) == {"o1": 1} and s.handles["b"].status == "moved" and s.handles["p"].kind == "py"


@pytest.mark.parametrize("v,f", [("0.21", ()), ("0.22", ("gil-refs",))])
def test_bound_into_gil_ref_registers(v, f):
    s = after([NEW_BOUND], {"op": "into_gil_ref", "src": "b", "as": "g"}, v, f)
    assert rc(s) == {"o1": 1} and s.threads["main"].owned == ["o1"]


@pytest.mark.parametrize("v,f", [("0.21", ()), ("0.22", ("gil-refs",))])
def test_bound_as_gil_ref_not_registered(v, f):
    s = after([NEW_BOUND], {"op": "as_gil_ref", "src": "b", "as": "g"}, v, f)
    assert rc(s) == {"o1": 1} and s.threads["main"].owned == []


@pytest.mark.parametrize("v", ["0.21", "0.29"])
def test_bound_list_and_tuple_get_item_plus_one(v):
    for typ in ("list", "tuple"):
        s = after([NEW_PY, {"op": "new", "as": "c", "type": typ, "api": "bound", "items": ["p"]}],
                  {"op": "get_item", "src": "c", "index": 0, "as": "x"}, v)
        assert rc(s)["o1"] == 3 and s.handles["x"].kind == "bound"


# ---- 4.4 Borrowed -------------------------------------------------------------------------------
@pytest.mark.parametrize("v", ["0.21", "0.29"])
def test_borrowed_is_free_and_to_owned_plus_one(v):
    s = after([NEW_BOUND], {"op": "as_borrowed", "src": "b", "as": "r"}, v)
    assert rc(s) == {"o1": 1} and s.handles["r"].borrows == "b"
    s = after([NEW_BOUND, {"op": "as_borrowed", "src": "b", "as": "r"}],
              {"op": "to_owned", "src": "r", "as": "o"}, v)
    assert rc(s) == {"o1": 2}


@pytest.mark.parametrize("v", ["0.21", "0.29"])
def test_get_borrowed_item_is_free(v):
    s = after([NEW_PY, {"op": "new", "as": "t", "type": "tuple", "api": "bound", "items": ["p"]}],
              {"op": "get_borrowed_item", "src": "t", "index": 0, "as": "x"}, v)
    assert rc(s)["o1"] == 2 and s.handles["x"].kind == "borrowed"


# ---- containers ---------------------------------------------------------------------------------
@pytest.mark.parametrize("v", ["0.20", "0.29"])
def test_append_and_freed_container_releases_items_last_first(v):
    api = "gil_ref" if v == "0.20" else "bound"
    t = bound_demo.run(P({"op": "gil", "body": [
        {"op": "new", "as": "a", "type": "object", "api": "py"},
        {"op": "new", "as": "b", "type": "object", "api": "py"},
        {"op": "new", "as": "l", "type": "list", "api": api},
        {"op": "append", "src": "l", "item": "a"},
        {"op": "append", "src": "l", "item": "b"},
        probe("filled")]}, probe("after")), pyo3=v)
    assert rc(t.at("filled")) == {"o1": 2, "o2": 2, "o3": 1}
    assert t.at("filled").objects["o3"].items == ["o1", "o2"]
    releases = [s.caption for s in t.steps if s.event == "release_item"]
    assert [c.split("to ")[1][:2] for c in releases] == ["o2", "o1"]
    assert rc(t.at("after")) == {"o1": 0, "o2": 0, "o3": 0}


# ---- Python-side variables and #[pyfunction] ---------------------------------------------------
@pytest.mark.parametrize("v,f", [("0.20", ()), ("0.22", ("gil-refs",))])
def test_pyfunction_returning_a_gil_ref(v, f):
    t = bound_demo.run(P({"op": "pyfunction", "as": "x", "body": [
        NEW_GREF, {"op": "return", "src": "g"}]}, probe("called"),
        {"op": "py_del", "src": "x"}, probe("deleted")), pyo3=v, features=f)
    s = t.at("called")
    assert s.py_vars == {"x": "o1"}
    if v == "0.20":
        assert rc(s) == {"o1": 1} and s.threads["main"].owned == []  # pool dropped at return
        assert rc(t.at("deleted")) == {"o1": 0}
    else:
        assert rc(s) == {"o1": 2} and s.threads["main"].owned == ["o1"]  # no pool in 0.22
        assert rc(t.at("deleted")) == {"o1": 1}


@pytest.mark.parametrize("v,initially", [("0.20", True), ("0.21", True), ("0.22", False), ("0.28", False),
                                         ("0.29", True)])
def test_reference_pool_exists_from_the_start_only_before_022(v, initially):
    """0.20/0.21: `static POOL` (gil.rs L247-L291); 0.22+: `Lazy`/`OnceLock`, created by the
    first deferred decref (v0.22.6 L283-L323), except that in 0.29.3 the module's import has
    already filled it (test_pool_made_by_import.py)."""
    t = bound_demo.run(P({"op": "gil", "body": [NEW_PY, probe("before"), {"op": "nogil", "body": [
        {"op": "drop", "src": "p"}, probe("queued")]}]}), pyo3=v)
    assert t.at("before").reference_pool_initialised is initially
    assert t.at("queued").reference_pool_initialised is True
