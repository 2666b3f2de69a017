"""What free-threaded builds remove or make unsound, in the model: `get_item_unchecked`,
`GILProtected`, and the module's `gil_used` declaration with its GIL-enabled event. Exact
values; the real side is tests/witness_ft/test_ft_gil_used.py."""

import pytest

import bound_demo
from bound_demo.concepts.events import CODE


def prog(*ops, **top):
    return {"format": "bound_demo.program/1", "ops": list(ops), **top}


def attach(*body):
    return {"op": "attach", "body": list(body)}


LIST = [{"op": "new", "as": "x", "type": "object", "api": "bound"},
        {"op": "new", "as": "l", "type": "list", "api": "bound", "items": ["x"]}]
UNCHECKED = {"op": "get_item_unchecked", "src": "l", "index": 0, "as": "y"}


@pytest.mark.parametrize("ft", [False, True])
def test_get_item_unchecked_in_range_is_get_item(ft):
    t = bound_demo.run(prog(attach(*LIST, UNCHECKED, {"op": "probe", "label": "p"})),
                       pyo3="0.28", free_threaded=ft)
    assert t.error is None
    objs = {k: o.refcount for k, o in t.at("p").objects.items()}
    assert objs == {"o1": 3, "o2": 1}  # x, the list's reference, y


def test_get_item_unchecked_out_of_range_is_unsound_on_both_builds():
    bad = dict(UNCHECKED, index=1)
    for ft in (False, True):
        t = bound_demo.run(prog(attach(*LIST, bad)), pyo3="0.28", free_threaded=ft)
        assert t.error.kind == "unsound"
        assert "reads past the end (length 1)" in t.error.message
        assert "`get_item(1)?`" in t.error.message


def _shared_list_program():
    return prog(attach(
        *LIST,
        {"op": "unbind", "src": "l", "as": "lp"},
        {"op": "send", "src": "lp", "to": "w"},
        {"op": "detach", "body": [{"op": "thread", "name": "w", "body": [attach(
            {"op": "bind", "src": "lp", "as": "wl"},
            {"op": "get_item_unchecked", "src": "wl", "index": 0, "as": "y"})]}]},
    ))


def test_get_item_unchecked_on_a_list_another_thread_holds():
    # The main thread still holds `x`, not the list: the worker owns the only handle to it.
    t = bound_demo.run(_shared_list_program(), pyo3="0.28", free_threaded=True)
    assert t.error is None
    shared = prog(attach(*LIST, {"op": "clone", "src": "l", "as": "l2"},
                         {"op": "unbind", "src": "l2", "as": "lp"},
                         {"op": "send", "src": "lp", "to": "w"},
                         {"op": "detach", "body": [{"op": "thread", "name": "w", "body": [attach(
                             {"op": "bind", "src": "lp", "as": "wl"},
                             {"op": "get_item_unchecked", "src": "wl", "index": 0,
                              "as": "y"})]}]}))
    ft = bound_demo.run(shared, pyo3="0.28", free_threaded=True)
    assert ft.error.kind == "unsound"
    assert ft.error.op_path == "ops[0].body[5].body[0].body[0].body[1]"
    assert "thread `main` also holds it" in ft.error.message
    assert "with_critical_section" in ft.error.message
    assert bound_demo.run(shared, pyo3="0.28").error is None  # the GIL serialises them


@pytest.mark.parametrize("pyo3,ft,kind,words", [
    ("0.23", False, None, None),
    ("0.26", False, None, "deprecated since 0.26"),
    ("0.27", False, None, "deprecated since 0.26"),
    ("0.28", False, "compile_error", "it was deprecated in 0.26, removed in 0.28 (#5285"),
    ("0.23", True, "compile_error", "free-threaded builds leave it out"),
    ("0.27", True, "compile_error", "free-threaded builds leave it out"),
    ("0.30", True, "compile_error", "it was deprecated in 0.26, removed in 0.28"),
])
def test_gil_protected(pyo3, ft, kind, words):
    t = bound_demo.run(prog({"op": "gil", "body": [{"op": "gil_protected"}]}),
                       pyo3=pyo3, free_threaded=ft)
    assert (t.error and t.error.kind) == kind
    if kind:
        assert t.error.message.startswith("error[E0432]: unresolved import `pyo3::sync::GILProtected`")
        assert words in t.error.message
    else:
        step = [s for s in t.steps if s.event == "gil_protected"]
        assert len(step) == 1
        assert (words in " ".join(step[0].notes)) if words else not step[0].notes


def test_gil_protected_needs_py():
    t = bound_demo.run(prog({"op": "gil_protected"}), pyo3="0.25")
    assert t.error.kind == "compile_error" and "`GILPROTECTED.get(py)` needs" in t.error.message


def _warned(t):
    return [s for s in t.steps if s.event == "gil_enabled"]


@pytest.mark.parametrize("pyo3,declared,warns", [
    ("0.23", None, True), ("0.27", None, True), ("0.28", None, False), ("0.30", None, False),
    ("0.23", False, False), ("0.28", True, True), ("0.30", True, True),
])
def test_gil_used_warning_follows_the_release_default(pyo3, declared, warns):
    top = {} if declared is None else {"gil_used": declared}
    t = bound_demo.run(prog(attach(), **top), pyo3=pyo3, free_threaded=True)
    assert len(_warned(t)) == int(warns)
    if warns:
        assert t.steps[0].event == "gil_enabled"
        assert "the GIL has been enabled" in t.steps[0].caption
    # A GIL build never warns: the key only matters on a free-threaded one.
    assert not _warned(bound_demo.run(prog(attach(), **top), pyo3=pyo3))


def test_gil_enabled_brings_the_deadlock_back():
    p = dict(bound_demo.scenarios.get("ft_join_attached"))
    assert bound_demo.run(p, pyo3="0.28", free_threaded=True).error is None
    p["gil_used"] = True
    t = bound_demo.run(p, pyo3="0.28", free_threaded=True)
    assert t.error.kind == "deadlock"


def test_gil_used_must_be_a_bool():
    with pytest.raises(ValueError, match="'gil_used' must be true or false, got str"):
        bound_demo.run(prog(gil_used="no"), pyo3="0.28", free_threaded=True)


def test_new_events_are_appended():
    assert CODE["gil_enabled"] == CODE["gc_free"] + 1
    assert CODE["gil_protected"] == CODE["gc_free"] + 2


def _attach_captions(t):
    return [s.caption for s in t.steps if s.event in ("gil_ensure", "gil_release")]


def test_captions_after_the_gil_is_enabled_speak_of_the_gil():
    # With `gil_used` the import turns the GIL on, so attaching takes it, as on a GIL build.
    on = bound_demo.run(prog(attach(), gil_used=True), pyo3="0.28", free_threaded=True)
    assert _attach_captions(on) == [
        "attach: the thread takes the GIL (PyGILState_Ensure); ATTACH_COUNT 0 → 1",
        "end of attach: the GIL is released (PyGILState_Release); ATTACH_COUNT is 0"]
    off = bound_demo.run(prog(attach()), pyo3="0.28", free_threaded=True)
    assert _attach_captions(off) == [
        "attach: the thread attaches; no GIL, other threads stay attached "
        "(PyGILState_Ensure); ATTACH_COUNT 0 → 1",
        "end of attach: the thread detaches (PyGILState_Release); ATTACH_COUNT is 0"]
