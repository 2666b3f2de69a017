"""Program errors as the witness reports them: compile_error, panic, abort, deadlock, exception."""

import pytest

from bound_demo import witness
from witkit import alive, block, new, op, probe, rc, ret, run


def test_use_after_move_is_a_compile_error():
    r = run([block("with_gil", new("b", api="bound"), op("drop", "b"), op("drop", "b"))], "0.21", ("gil-refs",))
    assert r.error.kind == "compile_error" and "E0382" in r.error.message
    assert r.error.op_path == "ops[0].body[2]"


def test_bound_escaping_with_gil_is_a_compile_error():
    r = run([block("with_gil", new("b", api="bound"), ret("b"), as_="b")], "0.21", ("gil-refs",))
    assert r.error.kind == "compile_error" and "lifetime" in r.error.message


@pytest.mark.parametrize("pyo3,kind", [("0.20", "allow_threads"), ("0.21", "allow_threads"), ("0.29", "detach")])
def test_gil_bound_handle_inside_allow_threads_is_e0277(pyo3, kind):
    api = "gil_ref" if pyo3 == "0.20" else "bound"
    gil = "attach" if pyo3 == "0.29" else "with_gil"
    r = run([block(gil, new("b", api=api), block(kind, op("clone", "b", "c")))], pyo3)
    assert r.error.kind == "compile_error" and "E0277" in r.error.message


def test_gil_ref_inside_with_pool_is_e0277():
    # with_pool's closure must be Ungil; witness/compile_fail/pyo3_020 checks this with rustc.
    r = run([block("with_gil", new("g", api="gil_ref"), block("with_pool", op("into_py", "g", "p")))], "0.20")
    assert r.error.kind == "compile_error" and "E0277" in r.error.message


def test_sending_a_bound_is_e0277():
    r = run([block("with_gil", new("b", api="bound"), op("send", "b", to="t"))], "0.22")
    assert r.error.kind == "compile_error" and "E0277" in r.error.message


def test_borrow_used_after_its_source_moved_is_e0505():
    r = run([block("with_gil", new("p"), op("bind", "p", "r"), op("drop", "p"), op("clone", "r", "c"))], "0.22")
    assert r.error.kind == "compile_error" and "E0505" in r.error.message


@pytest.mark.parametrize("pyo3,api", [("0.20", "bound"), ("0.23", "gil_ref"), ("0.22", "gil_ref")])
def test_api_absent_in_the_release(pyo3, api):
    r = run([block("with_gil", new("x", api=api))], pyo3)
    assert r.error.kind == "compile_error" and "E0599" in r.error.message


def test_deadlock_is_detected_before_it_happens():
    r = run([block("with_gil", new("p"), probe("before"),
                   block("thread", block("with_gil", probe("never")), name="t"))], "0.20")
    assert r.error.kind == "deadlock"
    assert [label for label, _ in r.probes] == ["before"]


def test_index_error_is_an_exception():
    r = run([block("with_gil", new("l", "list", "bound"), op("get_item", "l", "x", index=3))], "0.22")
    assert r.error.kind == "exception" and "IndexError" in r.error.message


@pytest.mark.parametrize("pyo3,words", [("0.22", "without the GIL being held"),
                                         ("0.29", "without the thread being attached")])
def test_py_dropped_without_gil_aborts_without_the_reference_pool(pyo3, words):
    r = run([block("gil", new("p"), probe("made"), ret("p"), as_="p"), probe("detached"), op("drop", "p"),
             probe("never")], pyo3, cfg=("pyo3_disable_reference_pool",))
    assert r.error.kind == "abort" and words in r.error.message
    assert r.error.op_path == "ops[2]"
    assert [label for label, _ in r.probes] == ["made", "detached"]


LEAK = ("pyo3_disable_reference_pool", "pyo3_leak_on_drop_without_reference_pool")


def test_py_dropped_without_gil_leaks_with_the_leak_cfg():
    # No abort and no queue: the count stays at 1 for good, even after the next attach.
    r = run([block("gil", new("p"), probe("made"), ret("p"), as_="p"), probe("detached"), op("drop", "p"),
             probe("dropped"), block("gil", probe("attached_again"))], "0.29", ("py-clone",), LEAK)
    assert r.error is None
    assert [rc(r, label) for label in ("made", "dropped", "attached_again")] == [1, 1, 1]
    assert alive(r, "attached_again")


def test_leak_cfg_build_drops_with_the_gil_as_usual():
    r = run([block("gil", new("p"), op("clone_ref", "p", "q"), probe("two"), op("drop", "q"), probe("one"),
                   op("drop", "p"), probe("gone"))], "0.29", (), LEAK)
    assert (rc(r, "two"), rc(r, "one"), alive(r, "gone")) == (2, 1, False)


def test_no_reference_pool_build_runs_normal_programs():
    r = run([block("attach", new("p"), op("clone_ref", "p", "q"), probe("two"))], "0.29",
            cfg=("pyo3_disable_reference_pool",))
    assert r.error is None and r.at("two").objects["o1"].refcount == 2


def test_malformed_programs_raise_value_error():
    with pytest.raises(ValueError, match=r"ops\[0\].*unknown op"):
        run([{"op": "nope"}], "0.21")
    with pytest.raises(ValueError, match="needs key"):
        run([{"op": "new", "as": "x"}], "0.21")


def test_unknown_builds_are_reported():
    with pytest.raises(witness.WitnessUnavailable):
        witness.run({"ops": []}, pyo3="0.19", features=())


def test_item_read_through_a_borrowed_gil_ref_keeps_the_borrow():
    # t.as_gil_ref().get_item(0) lives only as long as the Bound `t` it was read through.
    r = run([block("with_gil", new("x", api="bound"), new("t", "tuple", "bound", ["x"]),
                   op("as_gil_ref", "t", "g"), op("get_item", "g", "i", index=0), op("drop", "t"),
                   op("clone", "i", "j"))], "0.21", ("gil-refs",))
    assert r.error.kind == "compile_error" and "E0505" in r.error.message


def test_static_name_errors_are_malformed_programs_like_in_the_model():
    with pytest.raises(ValueError, match="unknown handle"):
        run([block("with_gil", op("drop", "nobody"))], "0.22")
    with pytest.raises(ValueError, match="must be the last op"):
        run([block("with_gil", new("p"), ret("p"), probe("x"), as_="p")], "0.22")
    with pytest.raises(ValueError, match="repeat body"):
        run([block("with_gil", block("repeat", new("p"), ret("p"), times=1))], "0.22")
    with pytest.raises(ValueError, match="unknown Python variable"):
        run([op("py_del", "v")], "0.22")


def test_calling_python_without_the_gil_from_rust_is_refused():
    r = run([block("with_gil", block("allow_threads", block("pyfunction")))], "0.21")
    assert r.error.kind == "compile_error" and "needs the GIL" in r.error.message


def test_new_pool_needs_a_py_token():
    # `py.new_pool()` / `py.with_pool(..)` need `py`: not available at the top level.
    r = run([block("with_pool", new("x", api="gil_ref"))], "0.21")
    assert r.error.kind == "compile_error" and "E0425" in r.error.message
