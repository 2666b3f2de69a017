"""The trace contract (format v1): steps, at(), final, error, JSON round trip, the builder,
program sources (dict, JSON text, path), and the CLI."""

import json
import subprocess
import sys

import pytest

import bound_demo
from bound_demo.format.builder import Program, drop
from modelkit import rc


def loop_program():
    prog = Program("loop")
    with prog.with_gil() as py:
        with prog.repeat(3):
            py.new_gil_ref("hello")
        py.probe("end")
    return prog


def test_builder_reads_like_rust_and_emits_format_ops():
    prog = Program()
    with prog.with_gil(as_="p") as py:
        b = py.new_bound("b")
        c = b.clone("c")
        drop(c)
        p = b.unbind("p")
        py.return_(p)
    prog.probe("after")
    assert prog.to_dict()["ops"][:1] == [{"op": "with_gil", "as": "p", "body": [
        {"op": "new", "as": "b", "type": "object", "api": "bound"},
        {"op": "clone", "src": "b", "as": "c"},
        {"op": "drop", "src": "c"},
        {"op": "unbind", "src": "b", "as": "p"},
        {"op": "return", "src": "p"}]}]
    t = bound_demo.run(prog, pyo3="0.21")
    assert t.error is None and t.at("after").handles["p"].kind == "py"
    assert t.final.handles == {}  # the program's end closes every scope


def test_sources_dict_json_and_path(tmp_path):
    d = loop_program().to_dict()
    f = tmp_path / "p.json"
    f.write_text(json.dumps(d))
    outs = [bound_demo.run(x, pyo3="0.20").to_json() for x in (d, json.dumps(d), str(f), f)]
    assert len(set(outs)) == 1


def test_steps_at_final():
    t = bound_demo.run(loop_program(), pyo3="0.20")
    assert t.at("end").threads["main"].owned == ["o1", "o2", "o3"]
    assert rc(t.final) == {"o1": 0, "o2": 0, "o3": 0}
    s = t.steps[1]
    assert (s.event, s.op_path, s.line) == ("new", "ops[0].body[0].body[0]", None)
    assert s.rust == "let hello = PyCell::new(py, Obj {})?;"
    assert s.touched["objects"] == ["o1"] and s.touched["handles"] == ["hello"]
    with pytest.raises(KeyError):
        t.at("missing")
    assert t.steps[-1].state == t.final


def test_probe_label_that_runs_twice_gives_the_latest():
    prog = Program()
    with prog.with_gil() as py:
        with prog.repeat(2):
            py.new_gil_ref("x")
            py.probe("each")
    t = bound_demo.run(prog, pyo3="0.21")
    assert t.at("each").threads["main"].owned == ["o1", "o2"]


def test_json_round_trip_keeps_everything():
    t = bound_demo.scenarios.run("py_dropped_on_thread", "0.20")
    text = t.to_json()
    d = json.loads(text)
    assert d["format"] == "bound_demo.trace/1" and d["pyo3"] == "0.20"
    back = bound_demo.Trace.from_json(text)
    assert back.to_json() == text
    assert back.at("queued") == t.at("queued")
    assert back.steps[3].caption == t.steps[3].caption
    assert back.final == t.final


def test_rust_lines_come_from_the_scenario_source():
    t = bound_demo.scenarios.run("gilref_loop", "0.20")
    new = next(s for s in t.steps if s.event == "new")
    assert "PyCell::new" in new.rust and new.line == 3


def test_state_access_is_lazy_for_big_traces():
    t = bound_demo.run({"format": "bound_demo.program/1", "ops": [{"op": "with_gil", "body": [
        {"op": "repeat", "times": 5000, "body": [{"op": "new", "as": "h", "type": "object", "api": "gil_ref"}]},
        {"op": "probe", "label": "end"}]}]}, pyo3="0.20")
    s = t.at("end")
    assert s.threads["main"].owned_len == 5000
    assert s.threads["main"].owned_slice(4998, 5000) == ["o4999", "o5000"]
    assert len(s.objects) == 5000 and s.objects["o5000"].refcount == 1
    mid = t.steps[7777].state
    assert mid.threads["main"].owned_len == 3889  # two steps per iteration after the first


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "bound_demo", *args], capture_output=True, text=True)


def test_cli_run_list_show_and_errors(tmp_path):
    r = run_cli("list")
    assert r.returncode == 0 and "gilref_loop" in r.stdout
    r = run_cli("show", "gilref_loop")
    assert r.returncode == 0 and "PyCell::new" in r.stdout
    r = run_cli("run", "gilref_loop", "--pyo3", "0.20")
    assert r.returncode == 0 and "PyO3 0.20" in r.stdout and "OWNED_OBJECTS" in r.stdout
    f = tmp_path / "p.json"
    f.write_text(json.dumps(loop_program().to_dict()))
    r = run_cli("run", str(f), "--pyo3", "0.21", "--features", "gil-refs", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["features"] == ["gil-refs"]
    f.write_text('{"format": "bound_demo.program/1", "ops": [{"op": "frob"}]}')
    r = run_cli("run", str(f))
    assert r.returncode == 2 and "ops[0]: unknown op" in r.stderr and "Traceback" not in r.stderr


def test_iter_states_and_series_agree_with_state_at():
    t = bound_demo.scenarios.run("py_dropped_on_thread", "0.20")
    got = dict(t.iter_states())
    assert len(got) == len(t.steps)
    for i, st in got.items():
        assert st == t.state_at(i)
    every = [i for i, _ in t.iter_states(start=3, every=4)]
    assert every == list(range(3, len(t.steps), 4))
    s = t.series()
    for i in range(len(t.steps)):
        st = t.state_at(i)
        assert s["owned"]["main"][i] == st.threads["main"].owned_len
        assert s["pending_decrefs"][i] == len(st.pending_decrefs)
        assert s["refcounts"]["o1"][i] == st.objects["o1"].refcount if "o1" in st.objects else True


def test_builder_release_neutral_blocks_and_table():
    prog = Program()
    with prog.gil() as py:
        p = py.new_py("p")
        with prog.nogil():
            drop(p)
        py.probe("drained")
    assert [o["op"] for o in prog.to_dict()["ops"]] == ["gil"]
    for v in ("0.20", "0.29"):
        t = bound_demo.run(prog, pyo3=v)
        assert rc(t.at("drained")) == {"o1": 0}
        assert "PyO3 " + v in t.table(width=100)
