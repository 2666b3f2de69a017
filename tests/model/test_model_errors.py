"""Rust's rules as teaching errors, malformed programs as ValueError, and the caps."""

import json

import pytest

import bound_demo
from bound_demo.format.program import MAX_DEPTH, ProgramError
from modelkit import P, probe, rc

NEW_PY = {"op": "new", "as": "p", "type": "object", "api": "py"}
NEW_BOUND = {"op": "new", "as": "b", "type": "object", "api": "bound"}


def err(program, pyo3="0.21", **kw):
    t = bound_demo.run(program, pyo3=pyo3, **kw)
    assert t.error is not None
    return t


def test_use_after_move_keeps_the_trace():
    t = err(P({"op": "gil", "body": [NEW_BOUND, {"op": "unbind", "src": "b", "as": "p"},
                                     probe("before"), {"op": "clone", "src": "b", "as": "c"}]}))
    assert t.error.kind == "compile_error" and "E0382" in t.error.message
    assert "moved at ops[0].body[1]" in t.error.message
    assert t.error.op_path == "ops[0].body[3]"
    assert rc(t.at("before")) == {"o1": 1}  # the steps before the error are kept
    assert t.steps[-1].event == "error"


def test_bound_escaping_with_gil():
    """rustc (witness/compile_fail, e.g. pyo3_029 `bound_escapes_attach`): a closure returning
    its Bound is "lifetime may not live long enough", an error without a code."""
    t = err(P({"op": "gil", "as": "x", "body": [NEW_BOUND, {"op": "return", "src": "b"}]}))
    assert t.error.kind == "compile_error" and "'py" in t.error.message and "unbind" in t.error.message
    assert t.error.message.startswith("compile error: lifetime may not live long enough")


def test_gil_ref_escaping_with_pool_closure():
    t = err(P({"op": "gil", "body": [{"op": "with_pool", "as": "g", "body": [
        {"op": "new", "as": "x", "type": "object", "api": "gil_ref"}, {"op": "return", "src": "x"}]}]}),
        pyo3="0.20")
    assert t.error.message.startswith("compile error: lifetime may not live long enough")


def test_gil_ref_escaping_its_pool():
    """rustc on 0.20.3: a GIL ref from the pool of `new_pool` borrows the `GILPool`, so taking it
    out of the pool's block is E0597 (`pool` does not live long enough)."""
    t = err(P({"op": "gil", "body": [{"op": "new_pool", "as": "g", "body": [
        {"op": "new", "as": "x", "type": "object", "api": "gil_ref"}, {"op": "return", "src": "x"}]}]}),
        pyo3="0.20")
    assert t.error.kind == "compile_error"
    assert t.error.message.startswith("error[E0597]: `pool` does not live long enough")


@pytest.mark.parametrize("where", ["nogil", "thread"])
def test_non_send_handle_crossing(where):
    body = [{"op": "drop", "src": "b"}]
    block = {"op": "nogil", "body": body} if where == "nogil" else {"op": "thread", "name": "t", "body": body}
    t = err(P({"op": "gil", "body": [NEW_BOUND, block]}))
    assert t.error.kind == "compile_error"
    assert ("not `Send`" in t.error.message) or ("another thread" in t.error.message)


def test_send_of_non_send_is_rejected():
    t = err(P({"op": "gil", "body": [NEW_BOUND, {"op": "send", "src": "b", "to": "t"}]}))
    assert t.error.kind == "compile_error" and "E0277" in t.error.message


def test_borrow_outlived():
    t = err(P({"op": "gil", "body": [NEW_PY, {"op": "bind", "src": "p", "as": "r"},
                                     {"op": "drop", "src": "p"}, {"op": "to_owned", "src": "r", "as": "o"}]}))
    assert t.error.kind == "compile_error" and "E0505" in t.error.message


@pytest.mark.parametrize("v,api,op", [
    ("0.20", "bound", None), ("0.23", "gil_ref", None), ("0.22", "gil_ref", None),
    ("0.28", None, "with_gil"), ("0.25", None, "attach"), ("0.25", None, "into_py")])
def test_absent_api(v, api, op):
    if api:
        prog = P({"op": "gil", "body": [{"op": "new", "as": "x", "type": "object", "api": api}]})
    elif op == "into_py":
        prog = P({"op": "gil", "body": [NEW_PY, {"op": "into_py", "src": "p", "as": "q"}]})
    else:
        prog = P({"op": op, "body": []})
    t = err(prog, pyo3=v)
    assert t.error.kind == "compile_error" and f"PyO3 {v}" in t.error.message
    if v == "0.22":
        assert "gil-refs" in t.error.message


def test_no_token_outside_with_gil():
    t = err(P(NEW_PY))
    assert t.error.kind == "compile_error" and "Python<'py>" in t.error.message


def test_py_clone_panic_without_gil():
    t = err(P({"op": "gil", "body": [NEW_PY, {"op": "nogil", "body": [
        {"op": "clone", "src": "p", "as": "q"}]}]}), pyo3="0.29", features=("py-clone",))
    assert t.error.kind == "panic" and "attached" in t.error.message


def test_abort_without_reference_pool():
    t = err(P({"op": "gil", "body": [NEW_PY, {"op": "nogil", "body": [{"op": "drop", "src": "p"}]}]}),
            pyo3="0.29", cfg=("pyo3_disable_reference_pool",))
    assert t.error.kind == "abort" and "leak_on_drop" in t.error.message


def test_deadlock():
    t = err(bound_demo.scenarios.get("deadlock"), pyo3="0.29")
    assert t.error.kind == "deadlock" and "`main`" in t.error.message


def test_no_deadlock_when_the_waiter_released_the_gil():
    t = bound_demo.run(P({"op": "gil", "body": [{"op": "nogil", "body": [
        {"op": "thread", "name": "t", "body": [{"op": "gil", "body": [probe("in")]}]}]}]}), pyo3="0.29")
    assert t.error is None and t.at("in").threads["t"].gil_count == 1


def test_index_error_is_an_exception():
    t = err(P({"op": "gil", "body": [{"op": "new", "as": "l", "type": "list", "api": "bound"},
                                     {"op": "get_item", "src": "l", "index": 0, "as": "x"}]}))
    assert t.error.kind == "exception" and "IndexError" in t.error.message


def test_deprecation_notes():
    t = bound_demo.run(P({"op": "gil", "body": [{"op": "new", "as": "g", "type": "object", "api": "gil_ref"}]}),
                       pyo3="0.21")
    new = next(s for s in t.steps if s.event == "new")
    assert new.notes and "deprecated in 0.21" in new.notes[0]
    t = bound_demo.run(P({"op": "gil", "body": [{"op": "new", "as": "g", "type": "object", "api": "gil_ref"}]}),
                       pyo3="0.20")
    assert all(not s.notes for s in t.steps)
    t = bound_demo.run(P({"op": "with_gil", "body": []}), pyo3="0.26")
    assert t.error is None and "renamed `attach`" in t.steps[0].notes[0]


# ---- malformed programs ------------------------------------------------------------------------
@pytest.mark.parametrize("program,path,words", [
    (P({"op": "with_gil", "body": [{"op": "frob"}]}), "ops[0].body[0]", "unknown op"),
    (P({"op": "with_gil", "body": [{"op": "new", "as": "x", "type": "object"}]}), "ops[0].body[0]", "missing key 'api'"),
    (P({"op": "repeat", "times": "3", "body": []}), "ops[0]", "must be an integer"),
    (P({"op": "with_gil", "body": [{"op": "drop", "src": "ghost"}]}), "ops[0].body[0]", "unknown handle"),
    (P({"op": "with_gil", "body": [{"op": "return", "src": "x"}, probe("a")]}), "ops[0].body[0]", "unknown handle"),
    (P({"op": "with_gil", "body": [{"op": "new", "as": "x", "type": "set", "api": "bound"}]}), "ops[0].body[0]", "'type'"),
    ({"format": "other", "ops": []}, "format", "expected"),
    (P("nope"), "ops[0]", "an op must be an object"),
])
def test_malformed_programs_name_the_op_path(program, path, words):
    with pytest.raises(ValueError) as e:
        bound_demo.run(program, pyo3="0.21")
    assert str(e.value).startswith(path + ":") and words in str(e.value)
    assert isinstance(e.value, ProgramError)


def test_bad_release_feature_cfg():
    with pytest.raises(ValueError, match="release lines"):
        bound_demo.run(P(), pyo3="0.19")
    with pytest.raises(ValueError, match="does not exist in PyO3 0.23"):
        bound_demo.run(P(), pyo3="0.23", features=("gil-refs",))
    with pytest.raises(ValueError, match="before PyO3 0.22"):
        bound_demo.run(P(), pyo3="0.21", cfg=("pyo3_disable_reference_pool",))


# ---- hostile input -------------------------------------------------------------------------------
def test_deep_nesting_is_capped():
    op = probe("x")
    for _ in range(MAX_DEPTH + 5):
        op = {"op": "with_gil", "body": [op]}
    with pytest.raises(ValueError, match="nested deeper than the cap"):
        bound_demo.run(P(op))


def test_absurdly_deep_json_is_refused():
    text = '{"format": "bound_demo.program/1", "ops": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(ValueError, match="nested too deeply|nested deeper"):
        bound_demo.run(text)


def test_huge_repeat_is_refused_before_running():
    with pytest.raises(ValueError, match="the cap of 10000000"):
        bound_demo.run(P({"op": "with_gil", "body": [{"op": "repeat", "times": 10**12, "body": [probe("x")]}]}))
    nested = {"op": "repeat", "times": 10**6, "body": [{"op": "repeat", "times": 10**6, "body": [probe("x")]}]}
    with pytest.raises(ValueError, match="would execute about"):
        bound_demo.run(P({"op": "with_gil", "body": [nested]}))


def test_executed_ops_stay_under_the_state_capacity():
    from bound_demo.format.program import MAX_EXECUTED_OPS
    from bound_demo.store.pvec import CAPACITY
    assert MAX_EXECUTED_OPS < CAPACITY
    loop = {"op": "repeat", "times": 8_000_001, "body": [
        {"op": "new", "as": "a", "type": "object", "api": "gil_ref"},
        {"op": "new", "as": "b", "type": "object", "api": "gil_ref"}]}
    with pytest.raises(ValueError, match="over the cap of 16,000,000"):
        bound_demo.run(P({"op": "with_gil", "body": [loop]}), pyo3="0.20")


def test_enormous_json_is_refused():
    with pytest.raises(ValueError, match="larger than the cap"):
        bound_demo.run('{"format": "bound_demo.program/1", "ops": [], "pad": "' + "x" * (17 * 2**20) + '"}')


def test_odd_names_are_kept_verbatim():
    name = '<script>alert("x")</script>'
    t = bound_demo.run(P({"op": "gil", "body": [{"op": "new", "as": name, "type": "object", "api": "py"},
                                                probe("x")]}), pyo3="0.29")
    assert name in t.at("x").handles
    assert json.loads(t.to_json())["steps"][1]["state"]["handles"][name]["kind"] == "py"


@pytest.mark.parametrize("v,f", [("0.20", ()), ("0.21", ()), ("0.22", ("gil-refs",))])
def test_with_pool_closure_is_ungil(v, f):
    """Checked against real 0.21.2: `py.with_pool(|py| ...)` cannot capture a GIL ref (E0277),
    while the body after `new_pool` can use it."""
    outer = {"op": "new", "as": "g", "type": "list", "api": "gil_ref"}
    t = err(P({"op": "gil", "body": [outer, {"op": "with_pool", "body": [
        {"op": "clone", "src": "g", "as": "h"}]}]}), pyo3=v, features=f)
    assert t.error.kind == "compile_error" and "E0277" in t.error.message
    t = bound_demo.run(P({"op": "gil", "body": [outer, {"op": "new_pool", "body": [
        {"op": "clone", "src": "g", "as": "h"}]}]}), pyo3=v, features=f)
    assert t.error is None


def test_returning_a_borrow_of_a_local_is_e0515():
    t = err(P({"op": "pyfunction", "as": "x", "body": [NEW_PY, {"op": "bind", "src": "p", "as": "r"},
                                                     {"op": "return", "src": "r"}]}), pyo3="0.29")
    assert t.error.kind == "compile_error" and "E0515" in t.error.message


@pytest.mark.parametrize("op", ["new_pool", "with_pool"])
def test_pool_needs_a_token(op):
    """Found by the witness's mutation runs: rustc rejects `py.new_pool()` where no `py`
    exists (E0425); the model used to run the block."""
    t = err(P({"op": op, "body": []}), pyo3="0.20")
    assert t.error.kind == "compile_error" and "E0425" in t.error.message


def test_py_del_of_a_variable_never_bound_is_a_name_error():
    """Found by the witness: the pyfunction that would bind `v` ran zero times."""
    t = err(P({"op": "gil", "body": [{"op": "repeat", "times": 0, "body": [
        {"op": "pyfunction", "as": "v", "body": [NEW_PY, {"op": "return", "src": "p"}]}]}]},
        {"op": "py_del", "src": "v"}), pyo3="0.29")
    assert t.error.kind == "exception" and "NameError" in t.error.message
