"""What a reader gets besides the picture: the true Rust line, the text alternative, the one
legend, refcount deltas and pool marks, themed and described exports, the live player's
listing. Real model traces; `dot` where frames are rendered."""
from __future__ import annotations

import json
import re
from pathlib import Path
from xml.dom import minidom

import pytest

from bound_demo.views.describe import describe
from bound_demo.views.frame import Seen, draw_step, draw_trace
from bound_demo.views.legend import legend_html
from bound_demo.views.listing import closing_line, rust_listing, source_fits
from bound_demo.views.palette import THEME, theme_css
from .helpers import real_run

ROOT = Path(__file__).resolve().parents[2]
LOOP = str(ROOT / "bound_demo" / "scenarios" / "gilref_loop.json")
NEUTRAL = {"format": "bound_demo.program/1", "ops": [{"op": "gil", "body": [
    {"op": "new", "as": "a", "type": "list", "api": "bound"},
    {"op": "clone", "src": "a", "as": "b"}]}]}


@pytest.fixture(scope="module")
def run():
    r = real_run()
    if r is None:
        pytest.skip("bound_demo.run is not there yet")
    return r


def test_steps_where_a_block_ends_highlight_its_closing_line(run):
    t = run(LOOP, pyo3="0.20")
    lines, rows = rust_listing(t)
    by_event = {}
    for s, r in zip(t.steps, rows):
        by_event.setdefault(s.event, set()).add(lines[r].split("//")[0].strip() if r >= 0 else None)
    assert by_event["gil_ensure"] == {"Python::with_gil(|py| -> PyResult<()> {"}
    assert by_event["scope_end"] == {"}"}            # the for loop's body ends
    assert by_event["pool_decref"] == {"})"}          # the pool drops at the closure's end
    assert by_event["pool_drop"] == by_event["gil_release"] == {"})"}
    assert by_event["new"] == {"let hello = PyCell::new(py, Obj {})?;"}
    assert by_event["end"] == {None}


def test_each_release_gets_its_own_spelling(run):
    old, new = run(NEUTRAL, pyo3="0.21"), run(NEUTRAL, pyo3="0.26")
    assert rust_listing(old)[0] == ["Python::with_gil(|py| {", "    let a = PyList::empty_bound(py);",
                                    "    let b = a.clone();", "});"]
    assert rust_listing(new)[0] == ["Python::attach(|py| {", "    let a = PyList::empty(py);",
                                    "    let b = a.clone();", "});"]
    assert rust_listing(new)[1] == [0, 1, 2, 3, 3, 3, -1]


def test_a_programs_own_source_only_for_its_releases(run):
    assert source_fits(run(LOOP, pyo3="0.21"))          # releases: 0.20, 0.21, 0.22+gil-refs
    assert not source_fits(run(LOOP, pyo3="0.26"))
    lines, _ = rust_listing(run(LOOP, pyo3="0.26"))
    # Generated for 0.26: the scenario's neutral op `gil` is spelled as 0.26 spells it.
    assert lines[0] == "Python::attach(|py| {" and lines[-2] == "});"


def test_closing_line_ignores_braces_in_comments_and_balanced_ones():
    src = ["f(|| {  // {", "    let x = Obj {};", "    // }", "})", "after"]
    assert closing_line(src, 0) == 3
    assert closing_line(src, 1) == 1 and closing_line(src, 4) == 4


def test_text_alternative_reads_the_state(run):
    t = run(LOOP, pyo3="0.20")
    probe = next(s for s in t.steps if s.event == "probe")
    assert describe(probe.state, t) == (
        "thread main holds the GIL, GIL_COUNT 1; pool: o1 o2 o3 o4; heap: o1 object refcount 1, "
        "o2 object refcount 1, o3 object refcount 1, o4 object refcount 1; handles: py Python<'py>.")
    attached = run(NEUTRAL, pyo3="0.26")
    text = describe(attached.steps[2].state, attached)
    assert text.startswith("thread main attached, ATTACH_COUNT 1; heap: o1 list refcount 2;")
    assert "pool" not in text  # 0.26 has no owned-object pool


def test_deltas_and_pool_marks_in_the_dot_source(run):
    t = run(LOOP, pyo3="0.20")
    graphs = draw_trace(t)
    new = graphs[1].source         # o1 created: entry +o1 added to the pool
    assert ">+o1<" in new and "→" not in new
    release = graphs[11].source    # "Pool releases o2": refcount 1 -> 0
    assert "freed (refcount 1 → 0)" in release
    # Each pool decref marks the entry it released where it was: o1 in the pool itself,
    # o2, o3, o4 at the front of the row a dropping pool releases from.
    assert [re.findall(r">−(o\d+)<", graphs[i].source) for i in (9, 10, 11, 12, 13)] == [
        [], ["o1"], ["o2"], ["o3"], ["o4"]]
    assert ">−o1<" not in draw_step(t.steps[10], trace=t).source  # needs the state before
    assert graphs[1].bd_seen.kinds == {"pool", "gil_ref"}  # `hello` is a GIL ref the pool backs
    assert graphs[10].bd_seen.kinds == {"pool"}
    assert {"touched", "pool_mark", "added"} <= graphs[1].bd_seen.marks
    assert {"delta", "freed", "released"} <= graphs[11].bd_seen.marks
    # Without ``before`` a frame shows plain refcounts.
    assert "→" not in draw_step(t.steps[11], trace=t).source


def test_a_live_objects_changed_refcount_reads_before_and_after(run):
    """Issue 15 asks for `1 → 2` on the object a step changed, not only on one it freed."""
    t = run(NEUTRAL, pyo3="0.26")
    graphs = draw_trace(t)
    counts = [re.findall(r"refcount [^<]*", g.source) for g in graphs[1:4]]
    assert counts == [["refcount 1"], ["refcount 1 → 2"], ["refcount 2 → 1"]]  # new, clone, drop of b
    assert "delta" not in graphs[1].bd_seen.marks and "delta" in graphs[2].bd_seen.marks


def test_returns_and_function_ends_highlight_their_own_lines(run):
    """A `return` highlights the returned value's line; the handles going out of scope and
    the trampoline handing back to Python highlight the function's closing brace."""
    from bound_demo.format.builder import Program
    prog = Program()
    with prog.pyfunction("make", as_="x") as py:
        py.return_(py.new_bound("lst", type="list"))
    for release in ("0.23", "0.26"):
        t = run(prog, pyo3=release)
        lines, rows = rust_listing(t)
        shown = {s.event: lines[r].strip() for s, r in zip(t.steps, rows) if r >= 0}
        assert shown["return"] == "lst   // returned", (release, shown)
        assert shown["scope_end"] == shown["trampoline_exit"] == "}", (release, shown)
        assert shown["new"] == "let lst = PyList::empty(py);", (release, shown)


def test_legend_lists_only_what_occurs():
    seen = Seen()
    assert legend_html(seen) == ""
    seen.kinds |= {"bound", "bound_ref"}
    seen.marks |= {"delta"}
    html = legend_html(seen)
    assert html.count("<li>") == 3 and "data-bd-legend" in html and html.startswith("<details")
    assert "Bound (owns +1)" in html and "Borrowed / &amp;Bound (no +1)" in html
    assert "1 → 2" in html and "pool entry" not in html


def test_theme_css_maps_every_frame_colour_in_both_schemes():
    css = theme_css()
    for name, (dot, light, dark) in THEME.items():
        assert f'[fill="{dot.lower()}"]{{fill:var(--bd-{name})}}' in css
        assert f"--bd-{name}:{light};" in css and f"--bd-{name}:{dark};" in css
    assert '@media (prefers-color-scheme: dark)' in css
    assert '[data-md-color-scheme="slate"] .bd-player,' in css
    assert '[data-md-color-scheme="default"] .bd-player,' in css


@pytest.mark.usefixtures("dot")
def test_svg_export_is_themed_described_and_has_its_legend(run, tmp_path):
    from bound_demo.views.export import main
    out = tmp_path / "frames"
    assert main([LOOP, "--pyo3", "0.20", "--svg", str(out), "--quiet"]) == 0
    files = sorted(out.glob("*.svg"))
    assert len(files) == 18
    for f in files:
        doc = minidom.parse(str(f))
        svg = doc.documentElement
        assert svg.getAttribute("role") == "img"
        title = svg.getElementsByTagName("title")[0].firstChild.data
        desc = svg.getElementsByTagName("desc")[0].firstChild.data
        assert title.startswith("step ") and desc.startswith("thread main ") and "GIL_COUNT" in desc
        style = svg.getElementsByTagName("style")[0].firstChild.data
        assert "prefers-color-scheme: dark" in style
    text = files[11].read_text(encoding="utf-8")
    assert ">legend<" in text and ">GIL ref backed by the pool<" in text
    assert ">Bound (owns +1)<" not in text  # only what this trace draws


@pytest.mark.usefixtures("dot")
def test_live_player_reads_like_the_static_one(run):
    from bound_demo.views.live import LivePlayer
    p = LivePlayer(LOOP, pyo3="0.20", background=False)
    p.step = 11
    rust = p.panes[0].rust.value
    current = re.findall(r"<span class='bd-line' data-bd-line-current>([^<]*)</span>", rust)
    assert len(current) == 1 and current[0].startswith("▶ })")
    assert "aria-live='polite'" in p.panes[0].caption.value
    svg = p.svg
    assert "<title>PyO3 0.20: step 12</title>" in svg and "<desc>thread main holds the GIL" in svg
    assert "freed (refcount 1 → 0)" in svg and "prefers-color-scheme: dark" in svg
    assert "data-bd-legend" in p.legend.value and "GIL ref backed by the pool" in p.legend.value
    assert all(t.tooltip for t in p.toggles.values())
    p.other.value = "0.26"
    p.step = 2
    assert "Python::with_gil" in p.panes[0].rust.value
    assert "Python::attach(|py| {" in p.panes[1].rust.value  # generated for 0.26: its own spelling
