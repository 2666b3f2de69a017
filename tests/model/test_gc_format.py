"""The program format's pyclass extension (issue 13): `classes`, field ops, borrows."""

import copy

import pytest

from bound_demo.format import builder
from bound_demo.format.program import ProgramError, PyClass, parse

BASE = {
    "format": "bound_demo.program/1",
    "classes": {"Node": {"fields": ["next"], "traverse": True, "clear": True}},
    "ops": [{"op": "gil", "body": [
        {"op": "new", "as": "a", "type": "object", "api": "bound", "class": "Node"},
        {"op": "new", "as": "b", "type": "object", "api": "bound", "class": "Node"},
        {"op": "set_field", "src": "a", "field": "next", "value": "b"},
        {"op": "set_field", "src": "a", "field": "next", "value": None},
        {"op": "take_field", "src": "a", "field": "next", "as": "n"},
        {"op": "clear_field", "src": "a", "field": "next"},
        {"op": "borrow", "src": "a", "as": "r"},
        {"op": "guard_mut", "src": "b", "as": "g"},
        {"op": "gc_collect"},
    ]}],
}


def test_classes_parse_to_records():
    p = parse(BASE)
    assert p.classes == {"Node": PyClass("Node", ("next",), True, True, False, False)}
    assert [op.kind for op in p.flat][1:4] == ["new", "new", "set_field"]


def test_program_without_classes_has_none():
    d = copy.deepcopy(BASE)
    del d["classes"]
    d["ops"][0]["body"] = [{"op": "gc_collect"}]
    assert parse(d).classes == {}


BAD = [
    (lambda d: d["classes"].update(X={"fields": ["a", "a"]}), "classes.X.fields: a field is named twice"),
    (lambda d: d["classes"].update(fn={}), "classes.fn: class 'fn' must be a Rust identifier"),
    (lambda d: d["classes"].update(X={"fields": ["py"]}), "classes.X.fields[0]: field 'py' is reserved"),
    (lambda d: d["classes"].update(X={"fields": "next"}), "classes.X.fields: 'fields' must be a list"),
    (lambda d: d["classes"].update(X={"_k": 1}), "classes.X: key '_k'"),
    (lambda d: d["classes"]["Node"].update(traverse=1), "classes.Node.traverse: 'traverse' must be true or false"),
    (lambda d: d["classes"]["Node"].update(traverse=False, traverse_attaches=True),
     "classes.Node.traverse_attaches: 'traverse_attaches' describes a __traverse__"),
    (lambda d: d["ops"][0]["body"][2].update(field="prev"),
     "ops[0].body[2]: set_field: no declared class has a field 'prev' (fields: next)"),
    (lambda d: d["ops"][0]["body"][2].update(value="zz"),
     "ops[0].body[2]: set_field: unknown handle 'zz'"),
    (lambda d: d["ops"][0]["body"][2].update(value=3),
     "ops[0].body[2]: set_field: 'value' must be a name or null, got int"),
    (lambda d: d["ops"][0]["body"][0].update({"class": "Q"}),
     "ops[0].body[0]: new: class 'Q' is not declared in the top-level 'classes' (declared: Node)"),
    (lambda d: d["ops"][0]["body"][0].update(type="list"),
     "ops[0].body[0]: new: 'class' makes a #[pyclass] instance: type must be 'object'"),
    (lambda d: d["ops"][0]["body"][6].pop("as"), "ops[0].body[6]: borrow: missing key 'as'"),
    (lambda d: d.update(classes=[]), "classes: 'classes' must be an object, got list"),
    (lambda d: d.update(classes={f"C{i}": {} for i in range(33)}), "classes: more than the cap of 32"),
    (lambda d: d["classes"].update(X={"fields": [f"f{i}" for i in range(17)]}),
     "classes.X.fields: more than the cap of 16 fields"),
]


@pytest.mark.parametrize("edit,message", BAD)
def test_malformed_is_refused_by_path(edit, message):
    d = copy.deepcopy(BASE)
    edit(d)
    with pytest.raises(ProgramError) as e:
        parse(d)
    assert str(e.value).startswith(message)


def test_clear_without_traverse_is_valid_format():
    # Refused per release when the program runs (type init error / E0080), not when read.
    d = copy.deepcopy(BASE)
    d["classes"]["Node"]["traverse"] = False
    assert parse(d).classes["Node"].clear is True


def test_builder_spells_the_same_ops():
    prog = builder.Program("cycle")
    node = prog.declare_class("Node", ["next"], traverse=True, clear=True)
    with prog.gil() as py:
        a = py.new_bound("a", cls=node)
        a.set_field("next", a)
        r = a.borrow("r")
        builder.drop(r)
        n = a.take_field("next", "n")
        a.clear_field("next")
        a.set_field("next", None)
        py.gc_collect()
    d = prog.to_dict()
    assert d["classes"] == {"Node": {"fields": ["next"], "traverse": True, "clear": True}}
    assert d["ops"][0]["body"] == [
        {"op": "new", "as": "a", "type": "object", "api": "bound", "class": "Node"},
        {"op": "set_field", "src": "a", "field": "next", "value": "a"},
        {"op": "borrow", "src": "a", "as": "r"},
        {"op": "drop", "src": "r"},
        {"op": "take_field", "src": "a", "field": "next", "as": "n"},
        {"op": "clear_field", "src": "a", "field": "next"},
        {"op": "set_field", "src": "a", "field": "next", "value": None},
        {"op": "gc_collect"},
    ]
    assert n.name == "n"
    parse(d)
