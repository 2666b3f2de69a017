"""SVG tests with the real `dot` (a failure in CI when it is missing, a loud skip elsewhere)."""
from __future__ import annotations

import re

import pytest

from . import fakes
from bound_demo.views import draw_step
from bound_demo.views.render import clear_cache, render_pngs, render_svgs
from bound_demo.views.svgpack import Packer, minify, split

pytestmark = pytest.mark.usefixtures("dot")

NODE = re.compile(r'<g id="[^"]*" class="node">\s*<title>([^<]*)</title>(.*?)</g>', re.S)
FIRST_POINT = re.compile(r'(?:points|d)="M?(-?[\d.]+),(-?[\d.]+)')


def positions(svg: str) -> dict:
    """Node name -> first drawn point; invisible nodes draw nothing and are left out."""
    out = {}
    for name, body in NODE.findall(svg):
        m = FIRST_POINT.search(body)
        if m:
            out[name] = (m.group(1), m.group(2))
    return out


def view_box(svg: str) -> str:
    return re.search(r'viewBox="([^"]*)"', svg).group(1)


@pytest.mark.parametrize("make", [fakes.gil_ref_trace, fakes.busy_trace, fakes.hostile_trace])
def test_every_frame_renders(make):
    trace = make()
    svgs = render_svgs([draw_step(s, trace=trace) for s in trace.steps])
    assert len(svgs) == len(trace.steps)
    assert all(s.lstrip().startswith("<?xml") and s.rstrip().endswith("</svg>") for s in svgs)


def test_hostile_names_are_text_in_svg():
    trace = fakes.hostile_trace()
    svg = render_svgs([draw_step(trace.steps[0], trace=trace, caption=True)])[0]
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "&lt;script&gt;" in texts and "a&quot;b" in texts and "x&amp;y" in texts
    assert "<script" not in svg


@pytest.mark.parametrize("make", [fakes.gil_ref_trace, fakes.long_trace])
def test_nodes_do_not_move_between_frames(make):
    trace = make()
    svgs = render_svgs([draw_step(s, trace=trace) for s in trace.steps])
    boxes = {view_box(s) for s in svgs}
    assert len(boxes) == 1, f"canvas size changes between frames: {boxes}"
    ref: dict = {}
    for i, svg in enumerate(svgs):
        for name, point in positions(svg).items():
            assert ref.setdefault(name, point) == point, f"{name} moved at frame {i}"


def test_real_trace_frames_do_not_move(example_trace):
    svgs = render_svgs([draw_step(s, trace=example_trace) for s in example_trace.steps])
    assert len({view_box(s) for s in svgs}) == 1
    ref: dict = {}
    for svg in svgs:
        for name, point in positions(svg).items():
            assert ref.setdefault(name, point) == point


def test_batch_equals_single_and_cache():
    trace = fakes.gil_ref_trace()
    graphs = [draw_step(s, trace=trace) for s in trace.steps]
    clear_cache()
    batch = render_svgs(graphs, workers=2)
    clear_cache()
    single = [render_svgs([g])[0] for g in graphs]
    # In a multi-graph stream dot prefixes element ids per graph and may emit
    # clusters in another order; the drawn elements themselves are identical.
    assert [sorted(split(minify(s))) for s in batch] == [sorted(split(minify(s))) for s in single]
    seen = []
    render_svgs(graphs, progress=seen.append)
    assert sum(seen) == len(graphs)


def test_broken_graph_fails_loudly():
    with pytest.raises(RuntimeError):
        render_svgs(["digraph { a [label=<<B></B>>] }"])


def test_png_batch_splits():
    trace = fakes.gil_ref_trace()
    pngs = render_pngs([draw_step(s, trace=trace) for s in trace.steps[:3]])
    assert len(pngs) == 3
    assert all(p.startswith(b"\x89PNG") and p.endswith(b"IEND\xaeB`\x82") for p in pngs)


def test_pack_round_trip():
    trace = fakes.gil_ref_trace()
    svgs = render_svgs([draw_step(s, trace=trace) for s in trace.steps])
    packer = Packer()
    frames = [packer.add(s) for s in svgs]
    for svg, ids in zip(svgs, frames):
        assert packer.join(ids) == minify(svg)
    assert len(packer.parts) < sum(len(f) for f in frames), "stable frames share fragments"
