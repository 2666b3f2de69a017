"""The trace keeps its record (the trace store), not the interpreter; a trace read back from
JSON answers `series()` and `executed_ops` as the live one does, and finds a step's op through
an index, not a scan of the program."""

import gc
import weakref

import bound_demo
from bound_demo.format import program as _program
from bound_demo.rules.interpreter import Runner
from bound_demo.trace import LoadedTrace, Trace
from bound_demo.versions import profile

POOL_AND_QUEUE = {"format": "bound_demo.program/1", "ops": [
    {"op": "with_gil", "body": [
        {"op": "new", "as": "a", "type": "object", "api": "gil_ref"},
        {"op": "new", "as": "p", "type": "object", "api": "py"},
        {"op": "allow_threads", "body": [{"op": "drop", "src": "p"}]},
        {"op": "repeat", "times": 3, "body": [
            {"op": "new", "as": "h", "type": "object", "api": "gil_ref"}]},
        {"op": "probe", "label": "end"}]}]}


def test_a_trace_does_not_keep_its_runner_alive():
    prof = profile("0.20")
    prog = _program.parse(POOL_AND_QUEUE)
    runner = Runner(prog, prof)
    error = runner.run()
    trace = Trace(prog, prof, runner, error)
    ref = weakref.ref(runner)
    del runner
    gc.collect()
    assert ref() is None
    assert trace.executed_ops == 10
    assert trace.at("end").threads["main"].owned == ["o1", "o3", "o4", "o5"]


def test_loaded_trace_series_and_executed_ops_match_the_live_trace():
    live = bound_demo.run(POOL_AND_QUEUE, pyo3="0.20")
    back = Trace.from_json(live.to_json())
    s = back.series()
    assert s == live.series()
    assert back.executed_ops == live.executed_ops == 10
    n = len(live.steps)
    assert s["steps"] == n
    assert s["owned"]["main"][-1] == 0  # the pool released everything at the end
    assert max(s["owned"]["main"]) == 4
    assert max(s["pending_decrefs"]) == 1  # `p` dropped without the GIL waits in POOL
    assert s["refcounts"]["o2"][-1] == 0
    assert list(s["refcounts"]) == ["o1", "o2", "o3", "o4", "o5"]
    assert back.series(["o3"]) == live.series(["o3"])
    assert list(back.series(["o3"])["refcounts"]) == ["o3"]


def test_loaded_trace_series_with_two_threads():
    prog = {"format": "bound_demo.program/1", "ops": [
        {"op": "with_gil", "body": [{"op": "new", "as": "p", "type": "object", "api": "py"},
                                    {"op": "send", "src": "p", "to": "t"}]},
        {"op": "thread", "name": "t", "body": [
            {"op": "with_gil", "body": [{"op": "new", "as": "g", "type": "object",
                                         "api": "gil_ref"}]}]}]}
    live = bound_demo.run(prog, pyo3="0.21")
    assert live.error is None
    back = Trace.from_json(live.to_json())
    assert back.series() == live.series()
    assert list(back.series()["owned"]) == ["main", "t"]
    assert max(back.series()["owned"]["t"]) == 1


class _CountingList(list):
    """A list that counts how often it is walked."""

    walks = 0

    def __iter__(self):
        _CountingList.walks += 1
        return super().__iter__()


def test_loaded_trace_finds_ops_by_index_in_a_long_trace():
    n = 100_000
    prog = {"format": "bound_demo.program/1",
            "ops": [{"op": "probe", "label": f"p{i}"} for i in range(n)]}
    small = bound_demo.run({"format": "bound_demo.program/1",
                            "ops": [{"op": "probe", "label": "p"}]}, pyo3="0.29").to_dict()
    step = small["steps"][0]
    d = dict(small, program=prog, labels={},
             steps=[dict(step, index=i, op_path=f"ops[{i}]") for i in range(n)])
    t = LoadedTrace(d)
    t.program_obj.flat = _CountingList(t.program_obj.flat)
    _CountingList.walks = 0
    last = [t.steps[i].op for i in range(n - 2000, n)]
    first = [t.steps[i].op for i in range(2000)]
    assert _CountingList.walks == 1  # the index is built once; no step scans the program
    assert [op.path for op in last] == [f"ops[{i}]" for i in range(n - 2000, n)]
    assert [op.d["label"] for op in first[:3]] == ["p0", "p1", "p2"]
    assert t._ops_by_path is not None and len(t._ops_by_path) == n
