"""The pyclass rows and edges on the model's own scenarios (issue 13), not on fakes."""
from __future__ import annotations

import re

import bound_demo
from bound_demo.views import draw_step, palette as P
from bound_demo.views.frame import draw_trace
from bound_demo.views.legend import union as seen_union


def _label(source, oid):
    return re.search(rf"^\s*o_{oid} \[label=(<.*?>)(?: style=\S+)?\]$", source, re.M).group(1)


def _step(trace, event, nth=0):
    return [s for s in trace.steps if s.event == event][nth]


def test_cycle_collected_highlights_the_found_pair_then_frees_it():
    t = bound_demo.scenarios.run("cycle_collected", pyo3="0.29")
    cycle = draw_step(_step(t, "set_field", 1), trace=t).source
    assert re.search(r"^\s*o_o1:f0:e -> o_o2:e .*xlabel=<next>", cycle, re.M)
    assert re.search(r"^\s*o_o2:f0:e -> o_o1:e .*xlabel=<next>", cycle, re.M)
    found = draw_step(_step(t, "gc_found"), trace=t).source
    for oid in ("o1", "o2"):
        assert "GC-tracked · found<" in _label(found, oid) and P.SKY in _label(found, oid)
    closed = draw_step(_step(t, "gc_collect"), trace=t).source
    assert "o_o1:f0:e ->" not in closed and "o_o2:f0:e ->" not in closed  # cleared, freed
    assert "GC-tracked · found, freed" in _label(closed, "o1")
    # The second collection finds nothing: no highlight during its pass.
    again = draw_step(_step(t, "gc_found", 1), trace=t).source
    assert P.SKY not in again


def test_leak_is_never_found_and_tracking_differs_in_030():
    old = bound_demo.scenarios.run("cycle_leak", pyo3="0.29")
    new = bound_demo.scenarios.run("cycle_leak", pyo3="0.30")
    end_old = draw_step(_step(old, "gc_collect"), trace=old).source
    end_new = draw_step(_step(new, "gc_collect"), trace=new).source
    assert "not GC-tracked" in _label(end_old, "o1") and "found" not in _label(end_old, "o1")
    assert "GC-tracked<" in _label(end_new, "o1") and "found" not in _label(end_new, "o1")


def test_borrow_handles_by_what_they_own():
    kinds = {}
    for release in ("0.20", "0.29"):
        t = bound_demo.scenarios.run("pyref_vs_guard", pyo3=release)
        kinds[release] = seen_union(g.bd_seen for g in draw_trace(t)).kinds
    assert "pyref_borrow" in kinds["0.20"] and "pyref" not in kinds["0.20"]
    assert {"pyref", "guard"} <= kinds["0.29"] and "pyref_borrow" not in kinds["0.29"]
    t = bound_demo.scenarios.run("pyref_vs_guard", pyo3="0.29")
    held = draw_step(t.steps[t.labels["pyref"]], trace=t).source
    assert "Node · borrow: &amp; ×1 (shared)" in _label(held, "o1")
    assert re.search(rf'-> o_o1:w \[color="{P.BLUE}" style="solid"', held)
    guard = draw_step(t.steps[t.labels["guard"]], trace=t).source
    assert re.search(rf'-> o_o1:w \[color="{P.SKY}" style="dashed"', guard)
