"""GIL refs and the owned-object pool, against real PyO3 0.20.3, 0.21.2 and 0.22.6 + gil-refs."""

import pytest

from witkit import block, new, op, probe, rc, alive, ret, run

GILREF_BUILDS = [("0.20", ()), ("0.21", ("gil-refs",)), ("0.22", ("gil-refs",))]


@pytest.mark.parametrize("pyo3,features", GILREF_BUILDS)
def test_issue_1056_loop_objects_live_until_with_gil_ends(pyo3, features):
    # for _ in 0..3 { let x = PyCell::new(py, Obj)?; }  -- every x stays in the pool.
    r = run([block("with_gil", block("repeat", new("x", api="gil_ref"), times=3), probe("loop_done")),
             probe("after")], pyo3, features)
    assert [rc(r, "loop_done", f"o{i}") for i in (1, 2, 3)] == [1, 1, 1]
    assert not any(alive(r, "after", f"o{i}") for i in (1, 2, 3))


@pytest.mark.parametrize("pyo3,features", GILREF_BUILDS)
def test_new_pool_per_iteration_releases_each_object(pyo3, features):
    r = run([block("with_gil", block("repeat", block("new_pool", new("x", api="gil_ref"), probe("in")),
                                     probe("iter_end"), times=2))], pyo3, features)
    state = r.at("in")  # second iteration
    assert state.objects["o1"].alive is False and state.objects["o2"].refcount == 1
    assert r.at("iter_end").objects["o2"].alive is False


@pytest.mark.parametrize("pyo3,features", GILREF_BUILDS)
def test_list_get_item_registers_a_reference_but_tuple_get_item_does_not(pyo3, features):
    r = run([block("with_gil", new("x", api="gil_ref"), new("l", "list", "gil_ref", ["x"]),
                   new("t", "tuple", "gil_ref", ["x"]), probe("made"),
                   op("get_item", "l", "a", index=0), probe("list"),
                   op("get_item", "t", "b", index=0), probe("tuple")), probe("end")], pyo3, features)
    assert rc(r, "made") == 3  # x itself, the list's and the tuple's references
    assert rc(r, "list") == 4  # +1, registered in the pool
    assert rc(r, "tuple") == 4  # borrowed: no change
    assert not alive(r, "end")


@pytest.mark.parametrize("pyo3,features", GILREF_BUILDS)
def test_into_ref_moves_into_the_pool_and_as_ref_borrows(pyo3, features):
    r = run([block("with_gil", new("p"), op("as_ref", "p", "r"), probe("as_ref"),
                   op("into_ref", "p", "g"), probe("into_ref")), probe("end")], pyo3, features)
    assert rc(r, "as_ref") == 1 and rc(r, "into_ref") == 1
    assert not alive(r, "end")


@pytest.mark.parametrize("pyo3,features", GILREF_BUILDS)
def test_gil_ref_into_py_adds_a_strong_reference(pyo3, features):
    r = run([block("with_gil", new("g", api="gil_ref"), op("into_py", "g", "p"), probe("both"), ret("p"),
                   as_="p"), probe("after")], pyo3, features)
    assert rc(r, "both") == 2
    assert rc(r, "after") == 1  # the pool's reference went with the with_gil pool


@pytest.mark.parametrize("pyo3,features", [("0.20", ()), ("0.21", ("gil-refs",))])
def test_pyfunction_has_its_own_pool_before_0_22(pyo3, features):
    r = run([block("pyfunction", new("x", api="gil_ref"), probe("in")), probe("after")], pyo3, features)
    assert rc(r, "in") == 1
    assert not alive(r, "after")


def test_pyfunction_in_0_22_gil_refs_has_no_pool_so_gil_refs_leak():
    # Open question (a), cf. PyO3 issue #4630: the 0.22 trampoline assumes the GIL and makes no
    # GILPool, so a GIL ref created in a #[pyfunction] called from Python is never released.
    r = run([block("pyfunction", new("x", api="gil_ref"), probe("in")), probe("after"),
             block("with_gil", probe("later"))], "0.22", ("gil-refs",))
    assert rc(r, "in") == 1 and rc(r, "after") == 1 and rc(r, "later") == 1


def test_pyfunction_in_0_22_gil_refs_inside_with_gil_uses_the_outer_pool():
    r = run([block("with_gil", block("pyfunction", new("x", api="gil_ref")), probe("after_call")),
             probe("out")], "0.22", ("gil-refs",))
    assert rc(r, "after_call") == 1
    assert not alive(r, "out")


@pytest.mark.parametrize("pyo3,features", GILREF_BUILDS)
def test_nested_with_gil_creates_no_pool(pyo3, features):
    # dropping_gil_does_not_invalidate_references: the inner with_gil adds no pool.
    r = run([block("with_gil", block("with_gil", new("x", api="gil_ref")), probe("after_inner")),
             probe("out")], pyo3, features)
    assert rc(r, "after_inner") == 1
    assert not alive(r, "out")


@pytest.mark.parametrize("pyo3,features", GILREF_BUILDS)
def test_with_gil_inside_allow_threads_gets_its_own_pool(pyo3, features):
    r = run([block("with_gil", block("allow_threads", block("with_gil", new("x", api="gil_ref")),
                                     probe("inner_done")))], pyo3, features)
    assert not alive(r, "inner_done")


@pytest.mark.parametrize("pyo3,features", [("0.21", ("gil-refs",)), ("0.22", ("gil-refs",))])
def test_bound_gil_ref_bridges(pyo3, features):
    r = run([block("with_gil", new("b", api="bound"), op("as_gil_ref", "b", "g"), probe("as_gil_ref"),
                   op("into_gil_ref", "b", "h"), probe("into_gil_ref")), probe("end")], pyo3, features)
    assert rc(r, "as_gil_ref") == 1  # a borrow, not registered
    assert rc(r, "into_gil_ref") == 1  # the Bound's reference moved into the pool
    assert not alive(r, "end")


@pytest.mark.parametrize("pyo3,features", GILREF_BUILDS)
def test_thread_has_its_own_pool(pyo3, features):
    r = run([block("thread", block("with_gil", new("x", api="gil_ref"), probe("in_thread")),
                   probe("thread_after"), name="t"), probe("main")], pyo3, features)
    assert rc(r, "in_thread") == 1
    assert not alive(r, "thread_after")
    assert r.at("in_thread").thread == "t"
