"""Bound, Borrowed and Py handles against real PyO3 0.21.2 through 0.29.3."""

import json

import pytest

from witkit import block, new, op, probe, rc, alive, ret, run

BOUND_BUILDS = [("0.21", ("gil-refs",)), ("0.22", ()), ("0.22", ("gil-refs",)),
                ("0.23", ()), ("0.24", ()), ("0.25", ()), ("0.26", ()), ("0.27", ()), ("0.28", ()), ("0.29", ())]
ALL_BUILDS = [("0.20", ())] + BOUND_BUILDS


def gil(*body, as_=None):
    return block("gil", *body, as_=as_)  # with_gil before 0.26, attach from 0.26


def nogil(*body, as_=None):
    return block("nogil", *body, as_=as_)


@pytest.mark.parametrize("pyo3,features", BOUND_BUILDS)
def test_bound_clone_is_plus_one_and_drop_minus_one(pyo3, features):
    r = run([gil(new("b", api="bound"), op("clone", "b", "c"), probe("cloned"), op("drop", "c"),
                 probe("dropped"), op("drop", "b"), probe("gone"))], pyo3, features)
    assert (rc(r, "cloned"), rc(r, "dropped")) == (2, 1)
    assert not alive(r, "gone")


@pytest.mark.parametrize("pyo3,features", BOUND_BUILDS)
def test_borrows_are_free_and_to_owned_is_plus_one(pyo3, features):
    r = run([gil(new("p"), op("bind", "p", "r"), op("bind_borrowed", "p", "bb"), probe("borrows"),
                 op("to_owned", "bb", "o"), probe("owned"), op("into_bound", "p", "b"),
                 op("as_borrowed", "b", "ab"), probe("moved"))], pyo3, features)
    assert rc(r, "borrows") == 1
    assert rc(r, "owned") == 2
    assert rc(r, "moved") == 2


@pytest.mark.parametrize("pyo3,features", BOUND_BUILDS)
def test_tuple_items_bound_get_item_owns_and_get_borrowed_item_does_not(pyo3, features):
    r = run([gil(new("x", api="bound"), new("t", "tuple", "bound", ["x"]), probe("made"),
                 op("get_borrowed_item", "t", "bi", index=0), probe("borrowed"),
                 op("get_item", "t", "gi", index=0), probe("owned"))], pyo3, features)
    assert (rc(r, "made"), rc(r, "borrowed"), rc(r, "owned")) == (2, 2, 3)


@pytest.mark.parametrize("pyo3,features", BOUND_BUILDS)
def test_list_append_and_get_item(pyo3, features):
    r = run([gil(new("x", api="bound"), new("l", "list", "bound"), op("append", "l", item="x"),
                 probe("appended"), op("get_item", "l", "y", index=0), probe("got"), op("drop", "l"),
                 probe("list_gone"))], pyo3, features)
    assert (rc(r, "appended"), rc(r, "got"), rc(r, "list_gone")) == (2, 3, 2)
    assert alive(r, "list_gone", "o2") is False


@pytest.mark.parametrize("pyo3,features", ALL_BUILDS)
def test_py_dropped_without_the_gil_waits_for_the_next_drain(pyo3, features):
    r = run([gil(new("p"), ret("p"), as_="p"), gil(op("clone_ref", "p", "q"), ret("q"), as_="q"),
             probe("two"), op("drop", "q"), probe("queued"), gil(probe("attached")), op("drop", "p"),
             probe("queued_again"), gil(), probe("drained")], pyo3, features)
    assert (rc(r, "two"), rc(r, "queued"), rc(r, "attached"), rc(r, "queued_again")) == (2, 2, 1, 1)
    assert not alive(r, "drained")


@pytest.mark.parametrize("pyo3,features", [("0.20", ()), ("0.21", ("gil-refs",))])
def test_py_clone_inside_allow_threads_is_a_deferred_incref(pyo3, features):
    # Open question (b): py.allow_threads(|| obj.clone()) leaves the count at 2 once it returns.
    r = run([gil(new("p"), nogil(op("clone", "p", "q"), probe("inside"), ret("q"), as_="q"),
                 probe("after"))], pyo3, features)
    assert rc(r, "inside") == 1  # queued: the incref has not happened yet
    assert rc(r, "after") == 2  # applied when allow_threads re-acquired the GIL


@pytest.mark.parametrize("pyo3", ["0.22", "0.23", "0.24", "0.25", "0.26", "0.27", "0.28", "0.29"])
def test_py_clone_without_the_gil_panics_from_0_22(pyo3):
    r = run([gil(new("p"), nogil(op("clone", "p", "q")))], pyo3, ("py-clone",))
    assert r.error.kind == "panic" and "Cannot clone pointer into Python heap" in r.error.message


@pytest.mark.parametrize("pyo3", ["0.22", "0.29"])
def test_py_clone_needs_the_feature_from_0_22(pyo3):
    r = run([gil(new("p"), op("clone", "p", "q"))], pyo3, ())
    assert r.error.kind == "compile_error" and "py-clone" in r.error.message
    r = run([gil(new("p"), op("clone", "p", "q"), probe("two"))], pyo3, ("py-clone",))
    assert rc(r, "two") == 2


@pytest.mark.parametrize("pyo3,features", ALL_BUILDS)
def test_nested_gil_drains_the_reference_pool_only_from_0_22(pyo3, features):
    # Open question (c): a nested with_gil/attach changes GIL_COUNT and drains the pool from
    # 0.22 on; in 0.20/0.21 it does nothing. A decref queued by another thread shows it.
    r = run([gil(new("p"), op("clone_ref", "p", "q"), op("send", "q", to="t"),
                 block("thread", op("drop", "q"), name="t"), probe("queued"),
                 gil(probe("nested")), probe("after_nested"))], pyo3, features)
    assert rc(r, "queued") == 2
    drains = pyo3 >= "0.22"
    assert rc(r, "nested") == (1 if drains else 2)


@pytest.mark.parametrize("pyo3,features", ALL_BUILDS)
def test_freeing_a_pyclass_drains_the_reference_pool(pyo3, features):
    # Python deletes the last reference to a #[pyclass] object; PyO3's tp_dealloc trampoline
    # (a GILPool before 0.22, an assumed guard after) drains the queued decref of `a`.
    r = run([block("pyfunction", new("b"), ret("b"), as_="pyb"), gil(new("a"), ret("a"), as_="a"),
             op("drop", "a"), probe("queued"), op("py_del", "pyb"), probe("after_del")], pyo3, features)
    assert rc(r, "queued", "o2") == 1 and alive(r, "queued", "o1")
    assert not alive(r, "after_del", "o1") and not alive(r, "after_del", "o2")


@pytest.mark.parametrize("pyo3,features", ALL_BUILDS)
def test_freeing_a_list_from_python_does_not_drain(pyo3, features):
    # Control for the test above: a list's dealloc is CPython's own, no PyO3 code runs.
    api = "gil_ref" if pyo3 == "0.20" else "bound"
    r = run([block("pyfunction", new("l", "list", api), ret("l"), as_="pyl"), gil(new("a"), ret("a"), as_="a"),
             op("drop", "a"), op("py_del", "pyl"), probe("after_del")], pyo3, features)
    assert not alive(r, "after_del", "o1") and rc(r, "after_del", "o2") == 1


@pytest.mark.parametrize("pyo3,features", BOUND_BUILDS)
def test_pyfunction_return_values_reach_python(pyo3, features):
    r = run([block("pyfunction", new("b", api="bound"), ret("b"), as_="v"), probe("held"),
             op("py_del", "v"), probe("deleted")], pyo3, features)
    assert rc(r, "held") == 1
    assert not alive(r, "deleted")


def test_attach_and_detach_spelled_for_0_29():
    r = run([block("attach", new("p"), block("detach", op("drop", "p"), probe("queued")), probe("back"))], "0.29")
    assert rc(r, "queued") == 1
    assert not alive(r, "back")
    r = run([block("with_gil")], "0.29")
    assert r.error.kind == "compile_error" and "removed in 0.28" in r.error.message


@pytest.mark.parametrize("pyo3", ["0.26", "0.27"])
def test_0_26_and_0_27_keep_with_gil_and_allow_threads_as_deprecated_names(pyo3):
    r = run([block("with_gil", new("p"), block("allow_threads", op("drop", "p"), probe("queued")), probe("back"))],
            pyo3)
    assert rc(r, "queued") == 1
    assert not alive(r, "back")
    r = run([block("attach", new("p"), block("detach", op("drop", "p"), probe("queued")), probe("back"))], pyo3)
    assert rc(r, "queued") == 1
    assert not alive(r, "back")


@pytest.mark.parametrize("pyo3,has", [("0.24", {"with_gil"}), ("0.25", {"with_gil"}), ("0.27", {"with_gil", "attach"}),
                                      ("0.28", {"attach"})])
def test_which_gil_names_a_release_has(pyo3, has):
    for name in ("with_gil", "attach"):
        r = run([block(name, new("p"), probe("in"))], pyo3)
        if name in has:
            assert r.error is None and rc(r, "in") == 1
        else:
            assert r.error.kind == "compile_error" and f"Python::{name}" in r.error.message


@pytest.mark.parametrize("pyo3,present", [("0.23", True), ("0.24", True), ("0.25", False), ("0.29", False)])
def test_into_py_exists_until_0_24(pyo3, present):
    r = run([gil(new("b", api="bound"), op("into_py", "b", "p"), probe("moved"))], pyo3)
    if present:
        assert rc(r, "moved") == 1  # the Bound's reference moves into the Py
    else:
        assert r.error.kind == "compile_error" and "removed in PyO3 0.25" in r.error.message


def test_results_are_plain_data():
    r = run([gil(new("b", api="bound"), probe("p"))], "0.29")
    assert json.dumps(r.at("p").to_dict())
    assert r.crate == "0.29.3" and r.final is r.at("p")


@pytest.mark.parametrize("pyo3,features", ALL_BUILDS)
def test_calling_a_pyfunction_drains_the_reference_pool(pyo3, features):
    # 0.20/0.21: the trampoline's GILPool::new drains; 0.22+: GILGuard::assume drains.
    r = run([gil(new("p"), ret("p"), as_="p"), op("drop", "p"), probe("queued"),
             block("pyfunction", probe("in_call"))], pyo3, features)
    assert rc(r, "queued") == 1
    assert not alive(r, "in_call")


@pytest.mark.parametrize("pyo3,features", BOUND_BUILDS)
def test_container_items_are_observed(pyo3, features):
    r = run([gil(new("x", api="bound"), new("l", "list", "bound", ["x"]), op("append", "l", item="l"),
                 new("t", "tuple", "bound", ["x", "l"]), probe("p"))], pyo3, features)
    objs = r.at("p").objects
    assert objs["o2"].items == ("o1", "o2") and objs["o3"].items == ("o1", "o2")
    # The list is held by its handle `l`, by itself and by the tuple.
    assert objs["o1"].items == () and objs["o2"].refcount == 3


@pytest.mark.parametrize("pyo3,features", ALL_BUILDS)
def test_holds_gil_as_cpython_reports_it(pyo3, features):
    r = run([probe("start"), gil(probe("in"), nogil(probe("released")), block("thread", probe("t"), name="t")),
             block("pyfunction", probe("python"))], pyo3, features)
    held = {label: st.holds_gil for label, st in r.probes}
    assert held == {"start": False, "in": True, "released": False, "t": False, "python": True}
