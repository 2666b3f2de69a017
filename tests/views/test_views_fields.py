"""Pyclass fields, borrow flags and the collector's pass in a frame (views/fields.py).

The states are fakes shaped like the trace fields of issue 13 (ObjectState.class / fields /
borrow / gc_tracked, State.last_gc), so these tests need neither the model nor `dot`.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Optional

from . import fakes
from bound_demo.views import draw_step, palette as P
from bound_demo.views.frame import draw_trace
from bound_demo.views.legend import legend_html, union as seen_union


@dataclass
class PyclassObject(fakes.ObjectState):
    fields: dict = field(default_factory=dict)
    borrow: object = 0
    gc_tracked: Optional[bool] = None

    def __post_init__(self):
        # "class" is a keyword, so the fake sets the attribute the trace format names by hand.
        setattr(self, "class", "Node" if self.type == "Node" else None)


@dataclass
class GcState(fakes.State):
    last_gc: Optional[dict] = None


def node(oid, refcount=1, next_=None, borrow=0, alive=True):
    return PyclassObject(oid, "Node", refcount, alive, fields={"next": next_}, borrow=borrow,
                         gc_tracked=True)


def gc_state(objects, last_gc=None):
    base = fakes.state(objects=objects, threads=[fakes.ThreadState("main", 1, True)])
    return GcState(**vars(base), last_gc=last_gc)


def cycle_trace():
    """A pair of nodes made into a cycle, borrowed, then collected. As in the model, the pass
    runs from gc_found to gc_collect, and last_gc is filled only at gc_collect."""
    done = {"found": ["a", "b"], "freed": ["a", "b"], "returned": 2}
    freed = [node("a", 0, alive=False), node("b", 0, alive=False)]
    rows = [
        ("new a", "ops[0]", 1, "new", gc_state([node("a")]), {"objects": ["a"]}),
        ("new b", "ops[1]", 2, "new", gc_state([node("a"), node("b")]), {"objects": ["b"]}),
        ("a.next = b", "ops[2]", 3, "set_field",
         gc_state([node("a", next_="b"), node("b", 2)]), {"objects": ["a", "b"]}),
        ("b.next = a, a borrowed twice", "ops[3]", 4, "set_field",
         gc_state([node("a", 2, "b", borrow=2), node("b", 2, "a", borrow="exclusive")]),
         {"objects": ["a", "b"]}),
        ("gc.collect(): found a and b", "ops[4]", 5, "gc_found",
         gc_state([node("a", 1, "b"), node("b", 1, "a")]), {"objects": ["a", "b"]}),
        ("__clear__ of a: b freed", "ops[4]", 5, "gc_free",
         gc_state([node("a", 1), node("b", 0, alive=False)]), {"objects": ["a", "b"]}),
        ("gc.collect() returns 2", "ops[4]", 5, "gc_collect", gc_state(freed, done), {"objects": ["a"]}),
        ("after", "ops[5]", 6, "probe", gc_state(freed, done), None),
    ]
    return fakes.build_trace(rows, pyo3="0.29")


def _node_label(source: str, oid: str) -> str:
    return re.search(rf"^\s*o_{oid} \[label=(<.*?>)(?: style=\S+)?\]$", source, re.M).group(1)


def test_a_field_is_an_edge_labelled_with_its_name():
    trace = cycle_trace()
    before = draw_step(trace.steps[1], trace=trace).source
    after = draw_step(trace.steps[2], trace=trace).source
    assert "o_a:f0:e ->" not in before
    edge = re.search(r"^\s*o_a:f0:e -> o_b:e \[(.*)\]$", after, re.M).group(1)
    assert "xlabel=<next>" in edge and f'color="{P.EDGE["field"][0]}"' in edge
    assert 'constraint="false"' in edge  # references never move nodes
    assert "next = b" in _node_label(after, "a") and "next = None" in _node_label(after, "b")


def test_a_self_cycle_is_an_edge_back_to_the_object():
    st = gc_state([node("a", 2, "a")])
    source = draw_step(fakes.Step(0, "a.next = a", "ops[0]", 1, "", "set_field", st)).source
    assert re.search(r"^\s*o_a:f0:e -> o_a:e ", source, re.M)


def test_borrow_flag_on_the_object():
    trace = cycle_trace()
    graph = draw_step(trace.steps[3], trace=trace)
    assert "borrow: &amp; ×2 (shared)" in _node_label(graph.source, "a")
    assert "borrow: &amp;mut (exclusive)" in _node_label(graph.source, "b")
    assert "borrow" in graph.bd_seen.marks
    free = draw_step(trace.steps[2], trace=trace)
    assert "borrow: free" in _node_label(free.source, "a") and "borrow" not in free.bd_seen.marks


def test_collectors_pass_found_then_freed():
    trace = cycle_trace()
    found = draw_step(trace.steps[4], trace=trace)
    label = _node_label(found.source, "a")
    # last_gc is still None at this step: the found set comes from the gc_collect ahead.
    assert "GC-tracked · found<" in label and f'BGCOLOR="{P.SKY}"' in label
    assert "gc_found" in found.bd_seen.marks and "gc_tracked" in found.bd_seen.marks
    mid = draw_step(trace.steps[5], trace=trace).source
    assert "GC-tracked · found, freed" in _node_label(mid, "b")
    assert "GC-tracked · found<" in _node_label(mid, "a")  # not freed yet
    freed = _node_label(draw_step(trace.steps[6], trace=trace).source, "b")
    assert "GC-tracked · found, freed" in freed and P.SKY in freed
    assert freed.count(f'BGCOLOR="{P.FREED}"') == 4  # header, refcount, field, borrow rows greyed
    after = draw_step(trace.steps[7], trace=trace)
    label = _node_label(after.source, "a")
    assert "GC-tracked · found, freed" in label and P.SKY not in label
    assert "gc_found" not in after.bd_seen.marks
    quiet = _node_label(draw_step(trace.steps[3], trace=trace).source, "a")
    assert "GC-tracked<" in quiet and P.SKY not in quiet


def test_without_a_trace_the_state_alone_decides():
    st = gc_state([node("a", 1, "a")], {"found": ["a"], "freed": [], "returned": 1})
    source = draw_step(fakes.Step(0, "kept", "ops[0]", 1, "", "probe", st)).source
    assert "GC-tracked · found, kept" in _node_label(source, "a")


def test_rows_are_reserved_so_no_node_grows():
    """Every object has the same rows in every frame, also before it exists (b in step 0)."""
    trace = cycle_trace()
    counts = {(oid, i): _node_label(draw_step(s, trace=trace).source, oid).count("<TR>")
              for i, s in enumerate(trace.steps) for oid in ("a", "b")}
    assert set(counts.values()) == {5}  # id·type, refcount, next, borrow, GC


def test_legend_lists_only_what_occurs():
    trace = cycle_trace()
    first = draw_step(trace.steps[0], trace=trace).bd_seen
    assert "field" not in first.kinds and not {"borrow", "gc_found"} & first.marks
    seen = seen_union(g.bd_seen for g in draw_trace(trace))
    assert "field" in seen.kinds and {"borrow", "gc_tracked", "gc_found"} <= seen.marks
    legend = legend_html(seen)
    for text in (P.EDGE["field"][3], P.MARK_TEXT["borrow"], P.MARK_TEXT["gc_found"]):
        assert html.escape(text) in legend


def test_plain_states_draw_no_pyclass_rows():
    trace = fakes.busy_trace()
    graph = draw_step(trace.steps[0], trace=trace)
    assert "borrow:" not in graph.source and "GC-tracked" not in graph.source
    assert not {"borrow", "gc_tracked", "gc_found"} & graph.bd_seen.marks


def test_colours_are_themed_or_fixed_hues():
    """Both schemes: neutral colours must be ones theme_css repaints; hues stay as they are."""
    trace = cycle_trace()
    source = "".join(g.source for g in draw_trace(trace))
    used = {c.upper() for c in re.findall(r"#[0-9A-Fa-f]{6}", source)}
    themed = {dot.upper() for dot, _, _ in P.THEME.values()}
    hues = {P.ORANGE, P.SKY, P.GREEN, P.YELLOW, P.BLUE, P.VERMILLION, P.PURPLE}
    assert used <= themed | hues
    assert P.SKY in used and P.MARK in used
