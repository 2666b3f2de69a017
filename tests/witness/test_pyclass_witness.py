"""Issue 13 on real PyO3: #[pyclass] fields, reference cycles, gc.collect() and runtime borrows.

Part one pins what the real extension modules do (exact refcounts, liveness, collector results,
error kinds and texts) on every release line, so a change in the witness or in PyO3 shows here
first; docs/design/pyclass-gc.md explains each figure. Part two is the differential check:
random programs with pyclasses from the fuzz generator's `classes` option, model against real
PyO3, BOUND_DEMO_WITNESS_CLASS_EXAMPLES per extension module (2,000 by default). The scenarios
(including the pyclass ones) run on every build in test_differential.py.
"""

from __future__ import annotations

import os

import pytest

from bound_demo import witness
from witkit import IN_CI, block, op

LINES = ["0.20", "0.21", "0.22", "0.23", "0.24", "0.25", "0.26", "0.27", "0.28", "0.29", "0.30"]
CLASS_EXAMPLES = int(os.environ.get("BOUND_DEMO_WITNESS_CLASS_EXAMPLES", "2000"))

NODE = {"fields": ["next"]}
KINDS = {
    "plain": {**NODE, "traverse": False, "clear": False},
    "trav": {**NODE, "traverse": True, "clear": True},
    "trav_only": {**NODE, "traverse": True, "clear": False},
}


def key(line):
    return tuple(int(x) for x in line.split("."))


def run(classes, ops, pyo3):
    """Run a program that declares `classes`; skip (fail in CI) when that build is absent."""
    prog = {"format": "bound_demo.program/1", "classes": classes, "ops": list(ops)}
    try:
        return witness.run(prog, pyo3=pyo3)
    except witness.WitnessUnavailable as e:
        if IN_CI:
            pytest.fail(f"witness build missing in CI: {e}")
        pytest.skip(f"WITNESS NOT BUILT ({e}); run scripts/build-witness.sh")


def api(line):
    """The owning handle a program of this release makes objects with."""
    return "py" if line == "0.20" else "bound"


def new(name, line, cls="Node"):
    return {"op": "new", "as": name, "type": "object", "class": cls, "api": api(line)}


def set_field(src, value, field="next"):
    return {"op": "set_field", "src": src, "field": field, "value": value}


def pair(line):
    """a.next = b; b.next = a; both names dropped: an orphaned two-node cycle."""
    return [new("a", line), new("b", line), set_field("a", "b"), set_field("b", "a"),
            op("probe", label="linked"), op("drop", "a"), op("drop", "b"), op("probe", label="orphaned")]


def objs(res, label):
    assert res.error is None, res.error
    return res.at(label).objects


def gc_of(res, label):
    assert res.error is None, res.error
    return res.at(label).last_gc


@pytest.mark.parametrize("line", LINES)
def test_cycle_without_traverse_leaks_and_is_not_found(line):
    res = run({"Node": KINDS["plain"]}, [block("gil", *pair(line), op("gc_collect"), op("probe", label="c"))], line)
    o = objs(res, "linked")
    assert (o["o1"].refcount, o["o2"].refcount) == (2, 2)
    assert o["o1"].fields == {"next": "o2"} and o["o2"].fields == {"next": "o1"}
    # Every pyclass is a GC type from 0.30 (PyO3 #6269); its field stays invisible all the same.
    assert o["o1"].gc_tracked is (key(line) >= (0, 30))
    assert [(x.refcount, x.alive) for x in objs(res, "c").values()] == [(1, True), (1, True)]
    assert gc_of(res, "c") == {"returned": 0, "freed": [], "traverse_panics": []}


@pytest.mark.parametrize("line", LINES)
def test_traverse_and_clear_free_the_cycle(line):
    res = run({"Node": KINDS["trav"]}, [block("gil", *pair(line), op("gc_collect"), op("probe", label="c1"),
                                              op("gc_collect"), op("probe", label="c2"))], line)
    assert objs(res, "orphaned")["o1"].gc_tracked is True
    assert [(x.refcount, x.alive) for x in objs(res, "c1").values()] == [(0, False), (0, False)]
    assert gc_of(res, "c1") == {"returned": 2, "freed": ["o1", "o2"], "traverse_panics": []}
    assert gc_of(res, "c2") == {"returned": 0, "freed": [], "traverse_panics": []}


@pytest.mark.parametrize("line", LINES)
def test_traverse_without_clear_is_found_every_time_and_never_freed(line):
    res = run({"Node": KINDS["trav_only"]}, [block("gil", *pair(line), op("gc_collect"), op("probe", label="c1"),
                                                   op("gc_collect"), op("probe", label="c2"))], line)
    for label in ("c1", "c2"):
        assert [(x.refcount, x.alive) for x in objs(res, label).values()] == [(1, True), (1, True)]
        assert gc_of(res, label) == {"returned": 2, "freed": [], "traverse_panics": []}


@pytest.mark.parametrize("line", LINES)
def test_self_cycle(line):
    ops = [new("a", line), set_field("a", "a"), op("drop", "a"), op("gc_collect"), op("probe", label="c")]
    res = run({"Node": KINDS["trav"]}, [block("gil", *ops)], line)
    assert gc_of(res, "c") == {"returned": 1, "freed": ["o1"], "traverse_panics": []}
    res = run({"Node": KINDS["plain"]}, [block("gil", *ops)], line)
    assert (objs(res, "c")["o1"].refcount, gc_of(res, "c")["returned"]) == (1, 0)


@pytest.mark.parametrize("line", LINES[1:])
def test_cycle_through_a_list_is_cleared_by_the_list(line):
    # Traverse without clear: the list's own tp_clear breaks the cycle (both found, both freed).
    ops = [new("a", line), {"op": "new", "as": "l", "type": "list", "api": "bound", "items": ["a"]},
           set_field("a", "l"), op("drop", "a"), op("drop", "l"), op("gc_collect"), op("probe", label="c")]
    res = run({"Node": KINDS["trav_only"]}, [block("gil", *ops)], line)
    assert gc_of(res, "c") == {"returned": 2, "freed": ["o1", "o2"], "traverse_panics": []}
    # Without traverse the list's edge back is all the collector sees: nothing is found.
    res = run({"Node": KINDS["plain"]}, [block("gil", *ops)], line)
    assert gc_of(res, "c")["returned"] == 0 and objs(res, "c")["o2"].alive


@pytest.mark.parametrize("line", LINES)
def test_taking_the_field_breaks_the_cycle_without_a_collection(line):
    ops = [new("a", line), new("b", line), set_field("a", "b"), set_field("b", "a"),
           {"op": "take_field", "src": "a", "field": "next", "as": "t"}, op("probe", label="taken"),
           op("drop", "t"), op("drop", "a"), op("drop", "b"), op("probe", label="end")]
    res = run({"Node": KINDS["plain"]}, [block("gil", *ops)], line)
    o = objs(res, "taken")
    # `take` moves the reference out: b keeps its count (its name + the taken Py).
    assert (o["o1"].refcount, o["o2"].refcount, o["o1"].fields) == (2, 2, {"next": None})
    assert [x.alive for x in objs(res, "end").values()] == [False, False]


@pytest.mark.parametrize("line", LINES)
def test_set_field_releases_the_old_value(line):
    ops = [new("a", line), new("b", line), new("c", line), set_field("a", "b"), op("probe", label="b"),
           set_field("a", "c"), op("probe", label="c"), {"op": "clear_field", "src": "a", "field": "next"},
           op("probe", label="cleared")]
    res = run({"Node": KINDS["trav"]}, [block("gil", *ops)], line)
    assert [objs(res, "b")[k].refcount for k in ("o2", "o3")] == [2, 1]
    assert [objs(res, "c")[k].refcount for k in ("o2", "o3")] == [1, 2]
    assert objs(res, "cleared")["o3"].refcount == 1 and objs(res, "cleared")["o1"].fields == {"next": None}


OLD_TEXT = "Access to the GIL is prohibited while a __traverse__ implmentation is running."
NEW_TEXT = "Attaching a thread to the interpreter is prohibited while a __traverse__ implementation is running."


@pytest.mark.parametrize("line", LINES)
def test_attaching_in_traverse_panics_is_swallowed_and_hides_the_edges(line):
    cls = {"Node": {**KINDS["trav"], "traverse_attaches": True}}
    ops = [new("a", line), set_field("a", "a"), op("drop", "a"), op("gc_collect"), op("probe", label="c")]
    res = run(cls, [block("gil", *ops)], line)
    g = gc_of(res, "c")
    assert (g["returned"], g["freed"], objs(res, "c")["o1"].alive) == (0, [], True)
    # PyO3's own typo ("implmentation") up to 0.25; the attach wording from 0.26.
    assert set(g["traverse_panics"]) == {NEW_TEXT if key(line) >= (0, 26) else OLD_TEXT}


@pytest.mark.parametrize("line", LINES)
@pytest.mark.parametrize("held", ["borrow_mut", "guard_mut", "borrow"])
def test_an_exclusively_borrowed_object_is_not_traversed(line, held):
    # PyO3's traverse trampoline takes a shared borrow first; when that fails it returns 0
    # without calling __traverse__, so the attaching one cannot panic.
    cls = {"Node": {**KINDS["trav"], "traverse_attaches": True}}
    ops = [new("a", line), set_field("a", "a"), {"op": held, "src": "a", "as": "m"}, op("gc_collect"),
           op("probe", label="held"), op("drop", "m"), op("gc_collect"), op("probe", label="released")]
    res = run(cls, [block("gil", *ops)], line)
    if held == "guard_mut" and key(line) < (0, 26):
        assert (res.error.kind, res.probes) == ("compile_error", [])
        return
    panics = gc_of(res, "held")["traverse_panics"]
    assert bool(panics) is (held == "borrow") and gc_of(res, "held")["returned"] == 0
    assert set(gc_of(res, "released")["traverse_panics"]) == {NEW_TEXT if key(line) >= (0, 26) else OLD_TEXT}
    assert objs(res, "held")["o1"].borrow == (1 if held == "borrow" else "exclusive")


@pytest.mark.parametrize("line", LINES)
@pytest.mark.parametrize("kind", ["plain", "trav", "trav_only"])
def test_subclass_holding_its_instance_leaks_before_030(line, kind):
    # #6269: `class Sub(K): pass; Sub.me = Sub(); del Sub`, built for real by the witness.
    ops = [new("a", line), op("probe", label="made"), op("drop", "a"), op("gc_collect"),
           op("probe", label="c")]
    res = run({"Node": {**KINDS[kind], "subclass_holds_instance": True}}, [block("gil", *ops)], line)
    made = objs(res, "made")["o1"]
    assert (made.refcount, made.gc_tracked) == (2, True)  # `a` and Sub.me; a subclass is a GC type
    freed = kind == "plain" or key(line) >= (0, 30)
    # When freed, CPython counts the instance and 6 objects of the type (CPython 3.11).
    assert gc_of(res, "c") == ({"returned": 7, "freed": ["o1"], "traverse_panics": []} if freed
                               else {"returned": 0, "freed": [], "traverse_panics": []})
    assert objs(res, "c")["o1"].alive is not freed


@pytest.mark.parametrize("line", LINES)
def test_clear_without_traverse_stops_the_run_before_its_first_op(line):
    res = run({"Node": {**NODE, "clear": True}}, [op("probe", label="start")], line)
    assert res.probes == [] and res.error.op_path == "classes.Node"
    if key(line) >= (0, 30):
        assert res.error.kind == "compile_error" and res.error.message.startswith("E0080")
    else:
        # `m.add_class` cannot create the type object (a RuntimeError caused by a TypeError).
        assert (res.error.kind, res.error.message) == (
            "exception", "RuntimeError: An error occurred while initializing class ClearOnly")


@pytest.mark.parametrize("line", LINES)
def test_taking_an_empty_field_panics(line):
    ops = [new("a", line), {"op": "take_field", "src": "a", "field": "next", "as": "t"}]
    res = run({"Node": KINDS["plain"]}, [block("gil", *ops)], line)
    assert (res.error.kind, res.error.message) == ("panic", "called `Option::unwrap()` on a `None` value")


def held(line, first, second=None):
    ops = [new("a", line), {"op": first, "src": "a", "as": "r1"}, op("probe", label="held")]
    if second:
        ops.append({"op": second, "src": "a", "as": "r2"})
    ops += [op("probe", label="both"), op("drop", "r1"), op("probe", label="released")]
    return run({"Node": KINDS["trav"]}, [block("gil", *ops)], line)


@pytest.mark.parametrize("line", LINES)
@pytest.mark.parametrize("kind", ["borrow", "borrow_mut", "try_borrow", "try_borrow_mut"])
def test_pyref_owns_a_reference_from_021(line, kind):
    res = held(line, kind)
    o = objs(res, "held")["o1"]
    assert o.refcount == (1 if line == "0.20" else 2)
    assert o.borrow == ("exclusive" if kind.endswith("_mut") else 1)
    assert (objs(res, "released")["o1"].refcount, objs(res, "released")["o1"].borrow) == (1, 0)


@pytest.mark.parametrize("line", LINES)
@pytest.mark.parametrize("kind", ["guard", "guard_mut"])
def test_guards_borrow_without_a_reference_from_026(line, kind):
    res = held(line, kind)
    if key(line) < (0, 26):
        assert res.error.kind == "compile_error" and "PyClassGuard" in res.error.message
        return
    assert (objs(res, "held")["o1"].refcount, objs(res, "held")["o1"].borrow) == (1, "exclusive" if kind == "guard_mut" else 1)


CONFLICTS = [  # held, attempted, error kind, message (the shared-borrow rows need no guard)
    ("borrow", "borrow_mut", "panic", "Already borrowed: PyBorrowMutError"),
    ("borrow", "try_borrow_mut", "exception", "PyBorrowMutError: Already borrowed"),
    ("borrow_mut", "borrow", "panic", "Already mutably borrowed: PyBorrowError"),
    ("borrow_mut", "borrow_mut", "panic", "Already borrowed: PyBorrowMutError"),
    ("borrow_mut", "try_borrow", "exception", "PyBorrowError: Already mutably borrowed"),
    ("guard", "borrow_mut", "panic", "Already borrowed: PyBorrowMutError"),
    ("guard_mut", "guard", "exception", "RuntimeError: Already mutably borrowed"),
    ("borrow", "guard_mut", "exception", "RuntimeError: Already borrowed"),
]


@pytest.mark.parametrize("line", LINES)
@pytest.mark.parametrize("first,second,kind,message", CONFLICTS)
def test_conflicting_borrows(line, first, second, kind, message):
    res = held(line, first, second)
    if "guard" in first + second and key(line) < (0, 26):
        assert res.error.kind == "compile_error"
        return
    assert (res.error.kind, res.error.message, res.error.op_path) == (kind, message, "ops[0].body[3]")


@pytest.mark.parametrize("line", LINES)
def test_two_shared_borrows(line):
    res = held(line, "borrow", "try_borrow")
    assert objs(res, "both")["o1"].borrow == 2
    assert objs(res, "both")["o1"].refcount == (1 if line == "0.20" else 3)


# ----- part two: model against real PyO3 on random programs with pyclasses ----------------------

def _modules():
    from bound_demo.witness.differential import modules
    mods = modules()
    if mods:
        return mods
    if IN_CI:
        return [pytest.param(None, marks=pytest.mark.xfail(strict=True, reason="no witness build in CI"))]
    return [pytest.param(None, marks=pytest.mark.skip(reason="WITNESS NOT BUILT: run scripts/build-witness.sh"))]


@pytest.mark.parametrize("build", _modules(), ids=str)
def test_random_class_programs_agree(build):
    from bound_demo.versions import profile
    from bound_demo.witness.differential import compare, random_class_program
    pyo3, features, cfg = build
    prof = profile(pyo3, features, cfg)
    mismatches = []
    for seed in range(CLASS_EXAMPLES):
        mm = compare(random_class_program(seed, prof), pyo3, features, cfg)
        if mm:
            mismatches.append(f"seed {seed}: {mm}")
            if len(mismatches) == 3:
                break
    assert not mismatches, "\n\n".join(mismatches)
