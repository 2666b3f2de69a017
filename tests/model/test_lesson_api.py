"""The package calls the notebooks use instead of defining their own helpers."""

from __future__ import annotations

import pytest

import bound_demo
from bound_demo import scenarios
from bound_demo.text.tables import stage_report


def test_refcount_table_names_freed_objects():
    bound = bound_demo.run(scenarios.records("bound", "bound", n=2), pyo3="0.21")
    assert bound.at("before_return").refcount_table() == {"o1": 1, "o2": 1, "o3": 1}
    pooled = bound_demo.run(scenarios.records("gil_ref", "gil_ref", n=2), pyo3="0.20")
    assert pooled.at("before_return").refcount_table() == {"o1": 1, "o2": 2, "o3": 2}
    assert pooled.at("returned").refcount_table() == {"o1": 1, "o2": 1, "o3": 1}
    gone = bound_demo.run({"format": "bound_demo.program/1", "ops": [{"op": "gil", "body": [
        {"op": "new", "as": "a", "type": "object", "api": "bound"}, {"op": "drop", "src": "a"},
        {"op": "probe", "label": "after"}]}]}, pyo3="0.29")
    assert gone.at("after").refcount_table() == {"o1": "freed"}


def test_get_with_times_sets_the_first_loop():
    prog = scenarios.get("gilref_loop", times=7)
    t = bound_demo.run(prog, pyo3="0.20")
    assert len(t.at("after_loop").threads["main"].owned) == 7
    assert scenarios.get("gilref_loop") != prog


def test_with_times_needs_a_loop():
    with pytest.raises(ValueError, match="no `repeat`"):
        scenarios.with_times({"format": "bound_demo.program/1", "ops": []}, 3)


def test_stage_report_lines():
    t = bound_demo.run(scenarios.records("gil_ref", "gil_ref", n=2), pyo3="0.20")
    assert stage_report(t).splitlines()[:2] == [
        "PyO3 0.20 - runs", "  pool before return : ['o1', 'o2', 'o3']"]
