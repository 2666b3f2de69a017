"""Hostile programs (issue 16, items 1, 2, 4 and 6): each is refused before it runs, with one
clear line and exit status 2, by a CLI kept under a memory and a time limit."""

from __future__ import annotations

import json

import pytest

from bound_demo.format import program as prog

from .hostilekit import P, assert_user_error, cli, gil, new, repeat, write

X = new("x")
SRC_LIST = [{"op": "drop", "src": ["x"]}]

CASES = {
    # 1. Internal keys never come from input.
    "cost_switched_off": (P(gil(repeat(10**7, repeat(10**7, {"op": "probe", "label": "p",
                                                             "_cost": -10**18})))),
                          "'_cost': keys starting with '_' are internal"),
    "cost_string": (P(gil({"op": "probe", "label": "p", "_cost": "abc"})), "'_cost'"),
    "cost_null": (P(gil({"op": "probe", "label": "p", "_cost": None})), "'_cost'"),
    # 2. Caps that bound memory and time.
    "items_in_a_long_loop": (P(gil(X, repeat(10**7, new("l", type="list", items=["x"] * 1000)))),
                             "over the cap of 16,000,000"),
    "items_one_by_one": (P(gil(X, repeat(2000, new("l", type="list", items=["x"] * 1000)))),
                         "one by one, over the cap of 1,000,000"),
    "too_many_items": (P(gil(X, new("l", type="list", items=["x"] * 1001))),
                       "more than the cap of 1,000 items"),
    "too_many_handles": (P(gil(*[new(f"h{i}") for i in range(prog.MAX_HANDLES + 1)])),
                         "more than the cap of 5,000 handles"),
    "too_many_threads": (P(gil(repeat(1001, {"op": "thread", "name": "t", "body": []}))),
                         "would start 1,001 threads, over the cap of 1,000"),
    "too_many_objects": (P(gil(repeat(6_000_000, new("b")))), "would create 6,000,000 objects"),
    # 4. Malformed values that used to raise raw exceptions.
    "op_is_a_list": (P({"op": ["with_gil"]}), "ops[0]: unknown op ['with_gil']"),
    "op_is_a_number": (P({"op": 5}), "ops[0]: unknown op 5"),
    "op_is_null": (P({"op": None}), "ops[0]: unknown op None"),
    "extra_to_is_a_number": (P(gil(X, {"op": "drop", "src": "x", "to": 5})), None),
    "src_is_a_list": (P(gil(X, *SRC_LIST)), "drop: 'src' must be a string, got list"),
    "note_too_long": (P(gil({"op": "probe", "label": "p", "note": "&" * 501})),
                      "'note' is longer than the cap of 500"),
    "title_not_a_string": (P(gil(), title=["x"]), "title: 'title' must be a string, got list"),
    "title_too_long": (P(gil(), title="t" * 201), "longer than the cap of 200"),
    # 6. Smaller ones.
    "duplicate_keys": ('{"format": "bound_demo.program/1", "ops": [], "ops": [{"op": "x"}]}',
                       "key 'ops' appears twice"),
    "nan_in_extra_key": ('{"format": "bound_demo.program/1", "ops": [{"op": "gil", "body": [], '
                         '"x": NaN}]}', "NaN is not a JSON number"),
    "infinity": ('{"format": "bound_demo.program/1", "ops": [], "x": Infinity}', "Infinity"),
    # Malformed programs that were already refused keep being refused.
    "unknown_op": (P({"op": "frob"}), "ops[0]: unknown op 'frob'"),
    "unknown_handle": (P(gil({"op": "drop", "src": "nope"})), "unknown handle 'nope'"),
    "huge_times": (P(gil(repeat(10**12))), "the cap of 10000000"),
    "too_deep": ('{"format": "bound_demo.program/1", "ops": ' + "[" * 5000 + "]" * 5000 + "}",
                 "nested"),
    "bad_format": (P(gil(), format="other/1"), "format: expected 'bound_demo.program/1'"),
    "not_json": ("{nope", "not valid JSON"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_program_is_one_clear_line(name, tmp_path):
    program, fragment = CASES[name]
    f = write(tmp_path, program)
    r = cli("run", f)
    if fragment is None:  # an extension key of any type is allowed, and ignored
        assert r.returncode == 0, r.stderr
        return
    assert_user_error(r, fragment)


def test_cost_key_is_never_read(tmp_path):
    # The same program without '_cost' runs; the key itself is what is refused.
    ok = P(gil({"op": "probe", "label": "p"}))
    assert prog.parse(ok).flat[1].cost == 1
    with pytest.raises(ValueError, match="internal"):
        prog.parse(P(gil({"op": "probe", "label": "p", "_cost": 0})))


def test_costs_live_on_the_op_not_in_its_dict():
    p = prog.parse(P(gil(new("x"), repeat(10, new("l", type="list", items=["x", "x"])))))
    loop = p.flat[2]
    assert loop.cost == 10 * 3 + 1 and loop.objects == 10
    assert "_cost" not in loop.d and all("_cost" not in op.d for op in p.flat)


def test_run_stops_once_it_stores_too_many_steps(monkeypatch):
    # A loop fastforward could write in bulk may still store its steps one by one; the
    # run-time cap stops it. Lowered here so the test is quick.
    import bound_demo
    from bound_demo.store import record
    monkeypatch.setattr(record, "MAX_STORED_STEPS", 1000)
    with pytest.raises(ValueError, match="recorded more than the cap of 1,000 steps"):
        bound_demo.run(P(gil(new("l", type="list"), repeat(5000, {"op": "clone", "src": "l", "as": "c"}))),
                       pyo3="0.23")


def test_unreadable_inputs(tmp_path):
    assert_user_error(cli("run", tmp_path), "not a regular file")
    assert_user_error(cli("run", "/proc/self/mem"), "cannot read '/proc/self/mem'")
    bad = tmp_path / "latin1.json"
    bad.write_bytes(b'{"format": "\xff"}')
    assert_user_error(cli("run", bad), "is not UTF-8")
    assert_user_error(cli("run", tmp_path / "missing.json"), "neither a program file nor a scenario")


def test_release_and_feature_errors_are_one_line():
    assert_user_error(cli("run", "gilref_loop", "--pyo3", "9.99"))
    assert_user_error(cli("run", "gilref_loop", "--pyo3", "0.29", "--features", "gil-refs"))
    assert_user_error(cli("run", "gilref_loop", "--bogus"), "unrecognised arguments")
    assert_user_error(cli("frobnicate"), "invalid choice")


def test_json_output_is_standard_and_capped(tmp_path):
    # A 178-byte kind of program: a GIL-ref loop whose every step carries the growing pool.
    f = write(tmp_path, P(gil(repeat(30_000, new("b", api="gil_ref")))))
    err = assert_user_error(cli("run", f, "--pyo3", "0.20", "--json"), "--steps A:B")
    assert "over the cap of 20,000 steps" in err
    r = cli("run", f, "--pyo3", "0.20", "--json", "--steps", "100:103")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["steps_from"] == 100 and [s["index"] for s in d["steps"]] == [100, 101, 102]
    assert_user_error(cli("run", f, "--pyo3", "0.20", "--steps", "5:2"), "need 0 <= A < B")
    assert_user_error(cli("run", f, "--pyo3", "0.20", "--steps", "x"), "expected A:B")


def test_step_table_shows_control_characters_escaped(tmp_path):
    nasty = "a\x1b[31m\x07\x00\u202eb"
    f = write(tmp_path, P(gil(new(nasty), {"op": "probe", "label": nasty})))
    r = cli("run", f, "--pyo3", "0.23")
    assert r.returncode == 0, r.stderr
    for c in "\x1b\x07\x00\u202e":
        assert c not in r.stdout
    assert "a\\x1b[31m\\x07\\x00\\u202eb" in r.stdout


def test_internal_error_says_so_and_where_to_report(monkeypatch, capsys):
    from bound_demo import cli as cli_mod

    def broken(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli_mod, "run_program", broken)
    assert cli_mod.main(["run", "gilref_loop"]) == 1
    err = capsys.readouterr().err.strip()
    assert "internal error (RuntimeError: boom)" in err and cli_mod.REPORT_URL in err
    assert "\n" not in err
