"""The model's free-threaded build (`free_threaded=True`): no GIL deadlock, stop-the-world
pauses that hang when an attached thread is blocked, biased reference counting, the release
table entry. Exact values throughout; the witness side is tests/witness_ft/."""

import json

import pytest

import bound_demo
from bound_demo.trace import Trace
from bound_demo.versions import profile


def prog(*ops):
    return {"format": "bound_demo.program/1", "ops": list(ops)}


def attach(*body):
    return {"op": "attach", "body": list(body)}


def detach(*body):
    return {"op": "detach", "body": list(body)}


def thread(name, *body):
    return {"op": "thread", "name": name, "body": list(body)}


def probe(label):
    return {"op": "probe", "label": label}


GC = {"op": "gc_collect"}
WARM = thread("w", attach())  # the worker attaches once while nobody else is attached


def objs(trace, label):
    return {k: (o.refcount, o.alive) for k, o in trace.at(label).objects.items()}


def test_release_table_has_one_free_threaded_entry():
    p28, p29 = profile("0.28", free_threaded=True), profile("0.29", free_threaded=True)
    assert (p28.free_threaded, p28.ft_python, p28.stw_on_first_thread) == (True, "3.13t", True)
    assert (p29.ft_python, p29.stw_on_first_thread) == ("3.14t", False)
    assert profile("0.23", free_threaded=True).ft_python == "3.13t"
    assert profile("0.28").free_threaded is False
    assert p28.label == "PyO3 0.28 on Python 3.13t (free-threaded)"
    with pytest.raises(ValueError, match="support arrived in 0.23"):
        profile("0.22", free_threaded=True)


def test_worker_that_attached_before_runs_while_main_waits_attached():
    p = prog(WARM, attach(thread("w", attach(probe("in"))), probe("out")))
    gil = bound_demo.run(p, pyo3="0.28")
    ft = bound_demo.run(p, pyo3="0.28", free_threaded=True)
    assert gil.error.kind == "deadlock"
    assert ft.error is None
    assert ft.at("in").threads["w"].holds_gil and ft.at("in").threads["main"].holds_gil


def test_first_attach_of_a_new_thread_hangs_on_313t_only():
    p = prog(attach(thread("w", attach(probe("in")))))
    t28 = bound_demo.run(p, pyo3="0.28", free_threaded=True)
    assert t28.error.kind == "hang"
    assert t28.error.op_path == "ops[0].body[0].body[0]"
    assert "detach around the wait" in t28.error.message and "`main`" in t28.error.message
    assert bound_demo.run(p, pyo3="0.29", free_threaded=True).error is None
    # The trace is kept up to the hang.
    assert [s.event for s in t28.steps][-2:] == ["thread_enter", "error"]


def test_gc_collect_on_the_worker_hangs_while_main_waits_attached():
    t = bound_demo.run(prog(WARM, attach(thread("w", attach(GC)))), pyo3="0.28", free_threaded=True)
    assert t.error.kind == "hang" and "gc.collect()" in t.error.message
    assert t.error.op_path == "ops[1].body[0].body[0].body[0]"


def test_detaching_around_the_join_makes_all_three_run():
    for warm in ((), (WARM,)):
        p = prog(*warm, attach(detach(thread("w", attach(GC, probe("in"))))))
        assert bound_demo.run(p, pyo3="0.28", free_threaded=True).error is None


def test_a_py_dropped_by_a_non_owner_is_queued_for_its_owner():
    # main owns o1; the worker's decref finds the shared half at 0 and queues it: o1 stays
    # alive with the queue's reference until main merges, which a collection does.
    p = prog(WARM, attach(
        {"op": "new", "as": "b", "type": "list", "api": "bound"},
        {"op": "unbind", "src": "b", "as": "obj"},
        {"op": "send", "src": "obj", "to": "w"},
        thread("w", attach({"op": "drop", "src": "obj"}, probe("dropped"))),
        probe("joined"), GC, probe("collected")))
    gil = bound_demo.run(p, pyo3="0.29")
    ft = bound_demo.run(p, pyo3="0.29", free_threaded=True)
    assert gil.error.kind == "deadlock"
    assert ft.error is None
    assert objs(ft, "dropped") == {"o1": (1, True)}
    assert objs(ft, "joined") == {"o1": (1, True)}
    assert objs(ft, "collected") == {"o1": (0, False)}
    assert [s.event for s in ft.steps].count("brc_queue") == 1
    assert [s.event for s in ft.steps].count("brc_merge") == 1


def test_the_owner_thread_state_deletion_merges_its_queue():
    # `w` owns o1 and keeps its thread state while it waits, detached, for `v`; `v` drops o1:
    # queued for `w`, merged (and freed) when w's outermost attach ends.
    p = prog(WARM, thread("v", attach()),
             thread("w", attach(
                 {"op": "new", "as": "o", "type": "object", "api": "py"},
                 {"op": "send", "src": "o", "to": "v"},
                 detach(thread("v", attach({"op": "drop", "src": "o"}, probe("v_dropped")))),
                 probe("w_back"))),
             probe("w_done"))
    t = bound_demo.run(p, pyo3="0.28", free_threaded=True)
    assert t.error is None
    assert objs(t, "v_dropped") == {"o1": (1, True)}
    assert objs(t, "w_back") == {"o1": (1, True)}
    assert objs(t, "w_done") == {"o1": (0, False)}


def test_a_non_owner_decref_when_the_owner_has_no_thread_state_frees_at_once():
    # `w` made o1 and its thread state is gone when main drops o1: merged and freed at once.
    p = prog(WARM, {"op": "thread", "name": "w", "as": "o", "body": [
        {"op": "attach", "as": "made", "body": [
            {"op": "new", "as": "x", "type": "object", "api": "py"}, {"op": "return", "src": "x"}]},
        {"op": "return", "src": "made"}]},
        attach({"op": "drop", "src": "o"}, probe("dropped")))
    t = bound_demo.run(p, pyo3="0.28", free_threaded=True)
    assert t.error is None
    assert objs(t, "dropped") == {"o1": (0, False)}


def test_gc_collect_frees_a_cycle_on_both_builds():
    p = prog(attach({"op": "new", "as": "a", "type": "list", "api": "bound"},
                    {"op": "append", "src": "a", "item": "a"},
                    {"op": "drop", "src": "a"}, probe("before"), GC, probe("after")))
    for ft in (False, True):
        t = bound_demo.run(p, pyo3="0.28", free_threaded=ft)
        assert objs(t, "before") == {"o1": (1, True)}
        assert objs(t, "after") == {"o1": (0, False)}


def test_gc_collect_needs_py():
    t = bound_demo.run(prog(GC), pyo3="0.28", free_threaded=True)
    assert t.error.kind == "compile_error" and "E0425" in t.error.message


def test_trace_round_trip_keeps_the_build():
    t = bound_demo.run(bound_demo.scenarios.get("ft_join_attached"), pyo3="0.28", free_threaded=True)
    d = json.loads(t.to_json())
    assert d["free_threaded"] is True
    back = Trace.from_json(t.to_json())
    assert back.prof.free_threaded and back.to_json() == t.to_json()
    assert "free_threaded" not in json.loads(bound_demo.run(prog(), pyo3="0.28").to_json())


def test_cli_free_threaded(capsys):
    from bound_demo.cli import main
    assert main(["run", "ft_first_attach", "--pyo3", "0.28", "--free-threaded"]) == 0
    out = capsys.readouterr().out
    assert "hang at ops[0].body[0].body[0]" in out
    assert main(["run", "deadlock", "--pyo3", "0.22", "--free-threaded"]) == 2
    assert "support arrived in 0.23" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["ft_join_attached", "ft_first_attach", "deadlock", "detach"])
def test_lockstep_pair_gil_vs_free_threaded(name):
    p = bound_demo.scenarios.get(name)
    gil = bound_demo.run(p, pyo3="0.28")
    ft = bound_demo.run(p, pyo3="0.28", free_threaded=True)
    expect = {"ft_join_attached": ("deadlock", None), "ft_first_attach": ("deadlock", "hang"),
              "deadlock": ("deadlock", "hang"), "detach": (None, None)}[name]
    assert (gil.error and gil.error.kind, ft.error and ft.error.kind) == expect
