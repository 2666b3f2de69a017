"""Issue 13 in the model: pyclass fields, the cyclic collector and the borrow flag.

Every expected value is what real PyO3 did on the builds listed in docs/design/pyclass-gc.md.
"""

import copy
import json

import pytest

import bound_demo
from bound_demo import scenarios
from bound_demo.trace import Trace

ALL = ("0.20", "0.21", "0.26", "0.29", "0.30")


def run(name, v):
    return bound_demo.run(scenarios.get(name), pyo3=v)


def gc_at(t, label):
    g = t.at(label).last_gc
    return None if g is None else (g["found"], g["freed"], g["returned"])


@pytest.mark.parametrize("v", ALL)
def test_cycle_leak(v):
    t = run("cycle_leak", v)
    assert t.error is None
    assert t.at("cycle").refcounts() == [2, 2]
    assert t.at("orphaned").refcounts() == [1, 1]
    assert t.at("collected").refcounts() == [1, 1]
    assert gc_at(t, "collected") == ([], [], 0)
    assert gc_at(t, "again") == ([], [], 0)
    o1 = t.final.objects["o1"]
    assert (o1.cls, o1.fields, o1.borrow) == ("Node", {"next": "o2"}, 0)
    # #6269: 0.30 tracks every pyclass, but the fields stay invisible to the collector.
    assert o1.gc_tracked is (v == "0.30")


@pytest.mark.parametrize("v", ALL)
def test_cycle_collected(v):
    t = run("cycle_collected", v)
    assert t.error is None
    assert t.at("orphaned").refcounts() == [1, 1]
    assert gc_at(t, "orphaned") is None
    assert gc_at(t, "collected") == (["o1", "o2"], ["o1", "o2"], 2)
    assert t.at("collected").refcounts() == [0, 0]
    assert gc_at(t, "again") == ([], [], 0)
    events = [s.event for s in t.steps]
    assert events.count("gc_clear") == 1  # __clear__ of o1 breaks the cycle; o2 falls to 0
    assert [s.caption for s in t.steps if s.event == "gc_collect"][0] == \
        "gc.collect() returns 2: freed o1, o2"


@pytest.mark.parametrize("v", ALL)
def test_traverse_without_clear_is_found_every_time(v):
    t = run("traverse_without_clear", v)
    assert gc_at(t, "collected") == (["o1", "o2"], [], 2)
    assert gc_at(t, "again") == (["o1", "o2"], [], 2)
    assert t.final.refcounts() == [1, 1]


@pytest.mark.parametrize("v", ALL[1:])
def test_cycle_through_list(v):
    t = run("cycle_through_list", v)
    assert t.at("cycle").refcounts() == [2, 2]
    assert t.at("orphaned").refcounts() == [1, 1]
    assert gc_at(t, "collected") == (["o1", "o2"], ["o1", "o2"], 2)
    assert t.final.objects["o2"].type == "list" and t.final.objects["o2"].gc_tracked


@pytest.mark.parametrize("v", ALL)
def test_break_cycle_by_hand(v):
    t = run("break_cycle_by_hand", v)
    assert t.at("taken").refcounts() == [2, 2]
    assert t.at("taken").objects["o1"].fields == {"next": None}
    assert t.at("taken").handles["n"].kind == "py" and t.at("taken").handles["n"].obj == "o2"
    assert t.at("dropped").refcounts() == [0, 0]
    assert gc_at(t, "collected") == ([], [], 0)


@pytest.mark.parametrize("v,text", [
    ("0.20", "Access to the GIL is prohibited while a __traverse__ implmentation is running."),
    ("0.29", "Attaching a thread to the interpreter is prohibited while a __traverse__ "
             "implementation is running."),
    ("0.30", "Attaching a thread to the interpreter is prohibited while a __traverse__ "
             "implementation is running."),
])
def test_traverse_attach_panics_and_hides_edges(v, text):
    t = run("traverse_attach_panic", v)
    assert t.error is None  # the panic is caught: the program goes on
    panics = [s for s in t.steps if s.event == "traverse_panic"]
    assert len(panics) == 1 and panics[0].notes == [
        f"panic in __traverse__ (caught by PyO3, printed to stderr): {text}"]
    assert gc_at(t, "collected") == ([], [], 0)
    assert t.final.refcounts() == [1]


@pytest.mark.parametrize("v,rc", [("0.20", 2), ("0.21", 3), ("0.26", 3), ("0.29", 3), ("0.30", 3)])
def test_exclusively_borrowed_object_is_not_traversed(v, rc):
    # PyO3's traverse trampoline needs a shared borrow; under borrow_mut it skips __traverse__.
    t = run("traverse_while_borrowed", v)
    assert t.error is None
    assert t.at("borrowed").refcounts() == [rc]  # a, its field, and m (a GIL ref in 0.20)
    assert t.at("borrowed").objects["o1"].borrow == "exclusive"
    assert gc_at(t, "borrowed") == ([], [], 0)
    found = [s for s in t.steps if s.event == "gc_found"]
    assert found[0].notes == ["o1 is exclusively borrowed: PyO3 skips its __traverse__, so its "
                              "fields are not visited"]
    assert found[1].notes == []
    # Only the second collection, after `drop(m)`, calls the attaching __traverse__.
    events = [s.event for s in t.steps]
    assert events.count("traverse_panic") == 1
    assert events.index("traverse_panic") > events.index("borrow_release")
    assert gc_at(t, "collected") == ([], [], 0) and t.final.refcounts() == [1]


@pytest.mark.parametrize("v,leaks", [("0.20", True), ("0.21", True), ("0.26", True), ("0.29", True),
                                     ("0.30", False)])
def test_subclass_holding_its_instance(v, leaks):
    # #6269: before 0.30 PyO3's traverse never visits the instance's type, so the cycle
    # instance -> Sub -> Sub.__dict__ -> instance looks referenced from outside.
    t = run("subclass_type_leak", v)
    assert t.error is None
    assert t.at("made").refcounts() == [2]  # `a` and Sub.me
    assert t.at("orphaned").refcounts() == [1]
    o = t.at("orphaned").objects["o1"]
    assert (o.cls, o.gc_tracked, o.fields) == ("Node", True, {"next": None})
    note = [s for s in t.steps if s.event == "gc_found"][0].notes
    if leaks:
        assert gc_at(t, "collected") == ([], [], 0) and t.final.refcounts() == [1]
        assert note == ["the subclass type of o1 looks referenced from outside (its instance's edge "
                        "to it is not visited before PyO3 0.30, #6269): not found, it leaks"]
    else:
        assert gc_at(t, "collected") == (["o1"], ["o1"], 1) and t.final.refcounts() == [0]
        assert note[0].startswith("the subclass type of o1 (with its dict, MRO tuple")
        assert [s.caption for s in t.steps if s.event == "gc_free"] == [
            "the collector clears the subclass type of o1: its dict drops `me`: o1 -1, refcount 0: freed"]


@pytest.mark.parametrize("v", ("0.20", "0.29", "0.30"))
def test_subclass_of_a_class_without_gc_methods_is_freed_everywhere(v):
    # CPython visits the type itself when the base has no traverse (0.20 - 0.29); 0.30's does.
    p = _prog([{"op": "drop", "src": "a"}, {"op": "gc_collect"}, {"op": "probe", "label": "c"}],
              {"Node": {"fields": ["next"], "subclass_holds_instance": True}})
    t = bound_demo.run(p, pyo3=v)
    assert gc_at(t, "c") == (["o1"], ["o1"], 1) and t.at("c").refcounts() == [0]


def test_shared_borrow_does_not_skip_traverse():
    p = _prog([{"op": "set_field", "src": "a", "field": "next", "value": "a"}, B("borrow", "r"),
               {"op": "gc_collect"}, {"op": "probe", "label": "p"}],
              {"Node": {"fields": ["next"], "traverse": True, "traverse_attaches": True}})
    t = bound_demo.run(p, pyo3="0.29")
    assert [s.event for s in t.steps].count("traverse_panic") == 1
    assert t.at("p").refcounts() == [3]


@pytest.mark.parametrize("v,rc", [("0.20", 1), ("0.21", 2), ("0.30", 2)])
def test_borrow_conflict_panics(v, rc):
    t = run("borrow_conflict", v)
    assert t.at("shared").refcounts() == [rc]
    assert t.at("shared").objects["o1"].borrow == 1
    assert t.error.kind == "panic" and t.error.op_path == "ops[0].body[3]"
    assert t.error.message.startswith("Already borrowed: PyBorrowMutError")


@pytest.mark.parametrize("v", ("0.26", "0.29", "0.30"))
def test_pyref_vs_guard(v):
    t = run("pyref_vs_guard", v)
    assert t.error is None
    assert t.at("pyref").refcounts() == [2] and t.at("pyref").handles["r"].kind == "pyref"
    assert t.at("guard").refcounts() == [1] and t.at("guard").handles["g"].owns is False
    assert t.at("guard").objects["o1"].borrow == 1
    assert t.at("released").objects["o1"].borrow == 0


@pytest.mark.parametrize("v", ("0.20", "0.21"))
def test_guard_is_absent_before_026(v):
    t = run("pyref_vs_guard", v)
    # rustc's code for the bare name in `extract::<PyClassGuard<'_, T>>()` (compile_fail/pyo3_025).
    assert t.error.kind == "compile_error" and "error[E0425]" in t.error.message
    assert t.at("pyref").refcounts() == [1 if v == "0.20" else 2]


def _prog(ops, classes=None):
    return {"format": "bound_demo.program/1",
            "classes": classes or {"Node": {"fields": ["next"]}},
            "ops": [{"op": "gil", "body": [
                {"op": "new", "as": "a", "type": "object", "api": "py", "class": "Node"}] + ops}]}


B = lambda kind, name: {"op": kind, "src": "a", "as": name}  # noqa: E731


@pytest.mark.parametrize("held,attempt,kind,message", [
    ("borrow", "borrow", None, None),
    ("borrow", "guard", None, None),
    ("borrow", "borrow_mut", "panic", "Already borrowed: PyBorrowMutError"),
    ("borrow", "try_borrow_mut", "exception", "RuntimeError: Already borrowed"),
    ("guard", "guard_mut", "exception", "RuntimeError: Already borrowed"),
    ("borrow_mut", "borrow", "panic", "Already mutably borrowed: PyBorrowError"),
    ("borrow_mut", "borrow_mut", "panic", "Already borrowed: PyBorrowMutError"),
    ("guard_mut", "try_borrow", "exception", "RuntimeError: Already mutably borrowed"),
    ("borrow_mut", "guard", "exception", "RuntimeError: Already mutably borrowed"),
    ("guard_mut", "try_borrow_mut", "exception", "RuntimeError: Already borrowed"),
])
def test_conflict_table(held, attempt, kind, message):
    t = bound_demo.run(_prog([B(held, "x"), B(attempt, "y"), {"op": "probe", "label": "p"}]),
                       pyo3="0.29")
    if kind is None:
        assert t.error is None and t.at("p").objects["o1"].borrow == 2
        return
    assert t.error.kind == kind and t.error.message.startswith(message)


def test_field_write_while_borrowed_panics_and_through_pyrefmut_is_fine():
    t = bound_demo.run(_prog([B("borrow", "r"),
                              {"op": "set_field", "src": "a", "field": "next", "value": "a"}]))
    assert t.error.kind == "panic" and t.error.message.startswith("Already borrowed")
    t = bound_demo.run(_prog([B("borrow_mut", "m"),
                              {"op": "set_field", "src": "m", "field": "next", "value": "a"},
                              {"op": "probe", "label": "p"}]))
    assert t.error is None and t.at("p").refcounts() == [3]  # a, m's Bound, the field


def test_set_field_replaces_and_releases_the_old_value():
    t = bound_demo.run(_prog([
        {"op": "new", "as": "b", "type": "object", "api": "py"},
        {"op": "new", "as": "c", "type": "object", "api": "py"},
        {"op": "set_field", "src": "a", "field": "next", "value": "b"},
        {"op": "probe", "label": "one"},
        {"op": "set_field", "src": "a", "field": "next", "value": "c"},
        {"op": "probe", "label": "two"},
        {"op": "set_field", "src": "a", "field": "next", "value": None},
        {"op": "probe", "label": "none"}]))
    assert t.at("one").refcounts() == [1, 2, 1]
    assert t.at("two").refcounts() == [1, 1, 2]
    assert t.at("two").objects["o1"].fields == {"next": "o3"}
    assert t.at("none").refcounts() == [1, 1, 1]


def test_freed_instance_releases_its_fields():
    t = bound_demo.run(_prog([
        {"op": "new", "as": "b", "type": "object", "api": "py"},
        {"op": "set_field", "src": "a", "field": "next", "value": "b"},
        {"op": "drop", "src": "b"}, {"op": "drop", "src": "a"}, {"op": "probe", "label": "p"}]))
    assert t.at("p").refcounts() == [0, 0]
    assert "freed o1 drops its field next: o2 -1, refcount 0: freed" in [s.caption for s in t.steps]


def test_take_field_of_empty_field_panics_and_unknown_field_is_compile_error():
    t = bound_demo.run(_prog([{"op": "take_field", "src": "a", "field": "next", "as": "n"}]))
    assert t.error.kind == "panic" and "Option::unwrap()" in t.error.message
    p = _prog([{"op": "new", "as": "p", "type": "object", "api": "py"},
               {"op": "clear_field", "src": "p", "field": "next"}])
    t = bound_demo.run(p)
    assert t.error.kind == "compile_error" and "error[E0609]" in t.error.message


@pytest.mark.parametrize("v,kind,text", [
    ("0.20", "exception", "RuntimeError: An error occurred while initializing class Node"),
    ("0.29", "exception", "RuntimeError: An error occurred while initializing class Node"),
    ("0.30", "compile_error", "error[E0080]: evaluation panicked"),
])
def test_clear_without_traverse(v, kind, text):
    t = bound_demo.run(_prog([], {"Node": {"fields": ["next"], "clear": True}}), pyo3=v)
    assert t.error.kind == kind and t.error.message.startswith(text)
    assert t.error.op_path == "classes.Node"


def test_gc_collect_needs_py():
    p = {"format": "bound_demo.program/1", "classes": {}, "ops": [{"op": "gc_collect"}]}
    assert bound_demo.run(p).error.kind == "compile_error"


NAMES = ["cycle_leak", "cycle_collected", "cycle_through_list", "traverse_without_clear",
         "borrow_conflict", "pyref_vs_guard", "break_cycle_by_hand", "traverse_attach_panic",
         "traverse_while_borrowed", "subclass_type_leak"]


@pytest.mark.parametrize("name", NAMES)
def test_trace_json_round_trip(name):
    j = run(name, "0.29").to_json()
    assert Trace.from_json(j).to_json() == j


TAMPER = [
    (lambda d: d["final"]["objects"]["o1"].__setitem__("borrow", -1), "final.objects.o1.borrow"),
    (lambda d: d["final"]["objects"]["o1"].__setitem__("class", "Nope"), "final.objects.o1.class"),
    (lambda d: d["final"]["objects"]["o1"]["fields"].__setitem__("prev", None), "final.objects.o1.fields"),
    (lambda d: d["final"]["objects"]["o1"]["fields"].__setitem__("next", "o99"), "final.objects.o1.fields.next"),
    (lambda d: d["final"]["objects"]["o1"].__setitem__("gc_tracked", 1), "final.objects.o1.gc_tracked"),
    (lambda d: d["final"]["last_gc"].__setitem__("returned", 5), "final.last_gc.returned"),
    (lambda d: d["final"]["last_gc"].__setitem__("freed", ["o1", "o2", "o3"]), "final.last_gc.freed"),
    (lambda d: d["final"]["objects"]["o1"].pop("borrow"), "final.objects.o1"),
    (lambda d: d["final"].pop("last_gc"), "final"),
]


@pytest.mark.parametrize("edit,path", TAMPER)
def test_tampered_traces_are_rejected(edit, path):
    d = json.loads(run("traverse_without_clear", "0.29").to_json())
    edit(d)
    with pytest.raises(ValueError) as e:
        Trace.from_json(json.dumps(d))
    assert str(e.value).startswith(path + ":")


def test_old_traces_have_no_pyclass_keys():
    t = run("py_clone", "0.21")
    d = json.loads(t.to_json())
    assert "last_gc" not in d["final"] and "class" not in d["final"]["objects"]["o1"]
    bad = copy.deepcopy(d)
    bad["final"]["last_gc"] = None
    with pytest.raises(ValueError, match="final.last_gc"):
        Trace.from_json(json.dumps(bad))
