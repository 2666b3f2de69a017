"""The builder as a notebook uses it: blocks nest from any block, ambiguous probe labels warn,
and a block's `result` (or `prog.var`) names what the block returned."""
from __future__ import annotations

import warnings

import pytest

import bound_demo
from bound_demo.format.builder import AmbiguousProbeWarning, Program, drop


def test_detach_opens_inside_an_attach_block():
    prog = Program()
    with prog.attach() as py:
        p = py.new_py("p")
        with py.detach() as free:
            free.probe("detached")
            drop(p)
        py.probe("back")
    ops = prog.to_dict()["ops"]
    assert [o["op"] for o in ops] == ["attach"]
    assert [o["op"] for o in ops[0]["body"]] == ["new", "detach", "probe"]
    assert [o["op"] for o in ops[0]["body"][1]["body"]] == ["probe", "drop"]
    t = bound_demo.run(prog, pyo3="0.29")
    assert t.error is None
    assert t.at("detached").threads["main"].gil_count == 0
    assert t.at("back").threads["main"].gil_count == 1
    assert t.at("back").objects["o1"].alive is False


def test_every_block_kind_nests_from_a_nested_block():
    prog = Program()
    with prog.gil() as py:
        with py.repeat(2) as it:
            with it.nogil() as inner:
                with inner.gil() as again:
                    again.new_py("x")
    body = prog.to_dict()["ops"][0]["body"][0]["body"][0]
    assert body["op"] == "nogil" and body["body"][0]["op"] == "gil"
    assert body["body"][0]["body"] == [{"op": "new", "as": "x", "type": "object", "api": "py"}]
    assert bound_demo.run(prog, pyo3="0.20").error is None
    assert bound_demo.run(prog, pyo3="0.29").error is None


def test_probe_inside_a_repeat_warns():
    prog = Program()
    with prog.gil() as py:
        with py.repeat(3) as it:
            it.new_gil_ref("x")
            with pytest.warns(AmbiguousProbeWarning, match="last iteration only"):
                it.probe("in_loop")
    # What the warning says: the label answers with the last of the three iterations.
    assert bound_demo.run(prog, pyo3="0.20").at("in_loop").threads["main"].owned == ["o1", "o2", "o3"]


def test_probe_label_used_twice_warns():
    prog = Program()
    with prog.gil() as py:
        py.probe("here")
        with pytest.warns(AmbiguousProbeWarning, match="used twice"):
            py.probe("here")


def test_single_iteration_and_distinct_labels_do_not_warn():
    prog = Program()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with prog.gil() as py:
            with py.repeat(1) as it:
                it.probe("one")
            with py.repeat(4):
                pass
            py.probe("two")


def test_block_result_and_var_name_the_returned_value():
    prog = Program()
    with prog.attach(as_="kept") as py:
        p = py.new_bound("b").unbind("p")
        py.return_(p)
    assert py.result.name == "kept"
    assert prog.var("kept").name == "kept"
    with prog.attach() as py2:
        assert py2.result is None
        py.result.into_bound("x")
        py2.probe("rebound")
    t = bound_demo.run(prog, pyo3="0.29")
    assert t.error is None
    assert t.at("rebound").refcount_table() == {"o1": 1}
    assert t.final.objects["o1"].alive is False
