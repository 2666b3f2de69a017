"""DOT-source tests: goldens, escaping and stable layout. No `dot` binary needed.

Regenerate the goldens after an intended change of the pictures with
``BOUND_DEMO_REGEN_GOLDEN=1 python -m pytest tests/views/test_views_dot.py``.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from . import fakes
from bound_demo.views import draw_step

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("BOUND_DEMO_REGEN_GOLDEN") == "1"

CASES = {
    "gil_ref_step1": lambda: (fakes.gil_ref_trace(), 1),
    "gil_ref_step3": lambda: (fakes.gil_ref_trace(), 3),
    "busy": lambda: (fakes.busy_trace(), 0),
    "hostile": lambda: (fakes.hostile_trace(), 0),
    "long_step57": lambda: (fakes.long_trace(), 57),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_dot_golden(name):
    trace, i = CASES[name]()
    source = draw_step(trace.steps[i], trace=trace).source
    path = GOLDEN / f"{name}.dot"
    if REGEN or not path.exists():
        if not REGEN and os.environ.get("CI") == "true":
            pytest.fail(f"golden {path.name} missing in CI")
        path.write_text(source, encoding="utf-8")
    assert source == path.read_text(encoding="utf-8"), (
        f"{name}: DOT differs from {path}; set BOUND_DEMO_REGEN_GOLDEN=1 if the change is intended")


def _user_text_is_escaped(source: str, raw: str, escaped: str):
    assert escaped in source
    # The raw spelling may only appear where the escaped one does not cover it.
    assert raw not in source.replace(escaped, "")


@pytest.mark.parametrize("raw,escaped", [
    ("<script>", "&lt;script&gt;"),
    ('a"b', "a&quot;b"),
    ("x&y", "x&amp;y"),
    ("<t&1>", "&lt;t&amp;1&gt;"),
    ("<b>v</b>", "&lt;b&gt;v&lt;/b&gt;"),
])
def test_user_names_are_escaped(raw, escaped):
    trace = fakes.hostile_trace()
    source = draw_step(trace.steps[0], trace=trace, caption=True).source
    _user_text_is_escaped(source, raw, escaped)


def test_caption_is_escaped():
    trace = fakes.hostile_trace()
    source = draw_step(trace.steps[0], trace=trace, caption=True).source
    assert "caption with &lt;tags&gt; &amp; &quot;quotes&quot;" in source


def test_ids_never_contain_user_text():
    trace = fakes.hostile_trace()
    source = draw_step(trace.steps[0], trace=trace).source
    ids = re.findall(r'PORT="([^"]*)"', source) + re.findall(r"^\s*(\S+) \[", source, re.M)
    assert ids and all(re.fullmatch(r"[A-Za-z0-9_]+", i) for i in ids), ids


NODE_LINE = re.compile(r"^\s*([A-Za-z0-9_]+) \[", re.M)


def node_ids(source: str) -> list:
    return NODE_LINE.findall(source)


def _stable(trace):
    ids = [node_ids(draw_step(s, trace=trace).source) for s in trace.steps]
    assert ids[0], "no nodes found"
    for i, frame in enumerate(ids):
        assert frame == ids[0], f"frame {i} has different node ids/order than frame 0"


@pytest.mark.parametrize("make", [fakes.gil_ref_trace, fakes.long_trace, fakes.busy_trace])
def test_stable_node_ids_and_order_fakes(make):
    _stable(make())


def test_stable_node_ids_and_order_real(example_trace):
    _stable(example_trace)


def test_every_object_of_the_trace_is_reserved():
    trace = fakes.gil_ref_trace()
    first = draw_step(trace.steps[0], trace=trace).source
    assert re.search(r'^\s*o_o1 \[.*style="invis"', first, re.M), "o1 must hold its place before it exists"
    alone = draw_step(trace.steps[0]).source
    assert "o_o1" not in alone, "without a trace, a frame draws only its own state"


def test_freed_object_stays_greyed():
    trace = fakes.gil_ref_trace()
    source = draw_step(trace.steps[3], trace=trace).source
    assert "freed (refcount 0)" in source
    assert re.search(r"^\s*o_o1 \[", source, re.M)


def test_edge_styles():
    trace = fakes.busy_trace()
    source = draw_step(trace.steps[0], trace=trace).source
    edges = re.findall(r"^\s*(\S+) -> (\S+) \[([^\]]*)\]", source, re.M)
    styles = {(t.split(":")[1] if ":" in t else t, re.search(r'style="?(\w+)', a).group(1))
              for t, h, a in edges if "invis" not in a}
    assert ("h_lst", "solid") in styles          # Bound owns a reference
    assert ("h_b", "dashed") in styles           # &Bound borrows
    assert ("h_p", "solid") in styles            # Py owns a reference
    assert ("p0", "solid") in styles             # pool entry
    assert ("i0", "dotted") in styles and ("d0", "dotted") in styles
    assert ("h_gone", "solid") not in styles     # moved handles draw no arrow


def test_gil_ref_outside_pool_is_dashed():
    trace = fakes.hostile_trace()
    st = trace.steps[0].state
    st.objects["o9"] = fakes.ObjectState("o9")
    st.handles["loose"] = fakes.HandleState("loose", "gil_ref", "o9", owns=False)
    source = draw_step(trace.steps[0]).source
    assert re.search(r'h_loose:e -> o_o9:w \[[^\]]*style="dashed"', source)


def test_touched_is_highlighted():
    trace = fakes.gil_ref_trace()
    src = draw_step(trace.steps[1], trace=trace).source
    quiet = draw_step(trace.steps[2], trace=trace).source
    assert src.count("#F0E442") > quiet.count("#F0E442")


def test_count_renamed_from_026():
    trace = fakes.gil_ref_trace()
    assert "GIL_COUNT = 1" in draw_step(trace.steps[1], trace=trace).source
    trace.pyo3 = "0.26"
    source = draw_step(trace.steps[1], trace=trace).source
    assert "ATTACH_COUNT = 1" in source and "attached" in source


def test_huge_pool_is_capped():
    trace = fakes.long_trace(400)
    source = draw_step(trace.steps[-1], trace=trace).source
    assert "more objects" in source
    assert re.search(r"\+\d+", source), "hidden pool entries are counted"
    assert len(source) < 200_000


def test_universe_from_touched_matches_full_scan():
    """Reading only touched objects must reserve exactly what a full scan would."""
    from .helpers import real_run
    from bound_demo.views.layout import Universe, of_trace
    traces = [fakes.busy_trace(), fakes.long_trace(30), fakes.gil_ref_trace()]
    if real_run() is not None:
        import bound_demo
        for name in ("list_vs_tuple_get_item", "py_dropped_on_thread", "dealloc_drains_pool"):
            path = Path(bound_demo.__file__).parent / "scenarios" / f"{name}.json"
            if path.exists():
                traces.append(bound_demo.run(str(path), pyo3="0.20"))
    for trace in traces:
        full = Universe()
        for step in trace.steps:
            full.add_state(step.state)
        assert of_trace(trace) == full


def test_references_in_transit_are_drawn():
    """Optional model extras: entries being released, drained, returned or leaked."""
    trace = fakes.busy_trace()
    st = trace.steps[0].state
    st.threads["main"].releasing = ["o3"]
    st.draining_decrefs = ["o1"]
    st.in_flight = ["o2"]
    st.leaked = ["o3"]
    source = draw_step(trace.steps[0], trace=trace).source
    assert "being released by a pool drop" in source
    assert re.search(r't_main_pool:r0 -> o_o3:w \[[^\]]*style="solid"', source)
    assert re.search(r'queue:xd0:w -> o_o1:e \[[^\]]*style="dotted"', source)
    assert re.search(r'flight:f0:w -> o_o2:e', source) and re.search(r'leaked:l0:w -> o_o3:e', source)


def test_cheap_pool_reads_are_used_when_offered():
    """A huge pool is read through owned_len/owned_slice, never as a whole list."""
    class Pool:
        owned_len = 100_000
        pool_marks = [0, 50_000]
        name, gil_count, holds_gil = "main", 1, True

        def owned_slice(self, a, b):
            return [f"o{i + 1}" for i in range(a, b)]

        @property
        def owned(self):
            raise AssertionError("the whole pool was read")

    from bound_demo.views.tables import pool_strip
    label = pool_strip(Pool(), columns=0, touched=set())
    assert "o1<" in label and "o100000<" in label and "+99988" in label
