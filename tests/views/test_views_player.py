"""The static player's HTML, checked as text (the browser test drives it for real)."""
from __future__ import annotations

import re

import pytest

from . import fakes
from bound_demo.views import player_html
from bound_demo.views.player import rust_listing
from bound_demo.views.timeline import align

pytestmark = pytest.mark.usefixtures("dot")


def test_contract_attributes_and_buttons(example_trace):
    page = player_html(example_trace)
    n = len(example_trace.steps)
    assert page.count("data-bd-player") == 1
    assert f'data-bd-steps="{n}"' in page and 'data-bd-step="0"' in page
    for action in ("first", "prev", "next", "last", "play"):
        assert f'data-bd-action="{action}"' in page


def test_first_frame_is_visible_without_javascript(example_trace):
    page = player_html(example_trace)
    before_script = page.split("<script>")[0]
    assert "<svg" in before_script
    assert example_trace.steps[0].caption.split("`")[0] in before_script.replace("&#x27;", "'")


def test_offline_nothing_external(example_trace):
    page = player_html(example_trace)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "cdn" not in page.lower()


def test_script_cannot_be_closed_by_captions():
    trace = fakes.hostile_trace()
    trace.steps[0].caption = "bye </script><script>alert(1)</script>"
    page = player_html(trace)
    assert page.count("</script>") == 1
    assert "&lt;/script&gt;" in page  # The visible caption is escaped text.


def test_each_player_has_its_own_id():
    trace = fakes.gil_ref_trace()
    a, b = player_html(trace), player_html(trace)
    ida = re.search(r'id="(bd-[0-9a-f]+)"', a).group(1)
    assert ida not in b


def test_hundred_steps_fit_in_a_megabyte():
    page = player_html(fakes.long_trace(100))
    assert len(page.encode("utf-8")) <= 1_000_000


def test_side_by_side_panes():
    a, b = fakes.gil_ref_trace(), fakes.long_trace(7)
    page = player_html([a, b], title="two")
    assert page.count('class="bd-pane"') == 2
    assert page.count('class="bd-release"') == 2


def test_release_label():
    page = player_html(fakes.busy_trace())
    assert "PyO3 0.21 + gil-refs" in page


def test_rust_listing_from_source_and_generated():
    trace = fakes.gil_ref_trace()
    lines, rows = rust_listing(trace)
    assert lines[0].startswith("Python::with_gil") and rows[1] == 1
    trace.rust = None
    lines, rows = rust_listing(trace)
    assert len(lines) == len({s.op_path for s in trace.steps}) and rows[0] == 0


def test_align_single_and_lockstep():
    t = fakes.gil_ref_trace()
    assert align([t]) == [(i,) for i in range(len(t.steps))]
    shorter = fakes.gil_ref_trace()
    shorter.steps = shorter.steps[:3]
    timeline = align([t, shorter])
    assert timeline[0] == (0, 0) and timeline[-1] == (len(t.steps) - 1, 2)
    assert all(b <= 2 for _, b in timeline)
    # Each trace's own steps appear in order.
    firsts = [a for a, _ in timeline]
    assert firsts == sorted(firsts) and set(firsts) == set(range(len(t.steps)))


def test_empty_trace_is_refused():
    t = fakes.gil_ref_trace()
    t.steps = []
    with pytest.raises(ValueError):
        player_html(t)


def test_show_outside_a_kernel_is_static_html(monkeypatch):
    from bound_demo.views import show
    out = show(fakes.gil_ref_trace())
    assert "data-bd-player" in out.data
    monkeypatch.setenv("BOUND_DEMO_STATIC", "1")
    both = show([fakes.gil_ref_trace(), fakes.long_trace(4)], static=None)
    assert both.data.count('class="bd-pane"') == 2


def test_show_runs_programs_for_several_releases():
    from .helpers import EXAMPLE, real_run
    from bound_demo.views import show
    out = show(EXAMPLE, pyo3=["0.20", "0.23"], features=("gil-refs",), static=True)
    assert "PyO3 0.20<" in out.data and "PyO3 0.23<" in out.data  # gil-refs dropped where absent


def _peak_of_streamed_player(n, path):
    """Peak traced memory of writing an n-frame player to a file, render cache kept small."""
    import tracemalloc
    from bound_demo.views import render
    from bound_demo.views.player import write_player
    trace = fakes.long_trace(n)
    render.clear_cache()
    tracemalloc.start()
    with open(path, "w", encoding="utf-8") as out:
        write_player(out, trace, title="long")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_streamed_player_is_byte_identical_and_bounded(tmp_path, monkeypatch):
    from bound_demo.views import player, render
    monkeypatch.setattr(render, "CACHE_BYTES", 1 << 20)
    # Whole chunks of frames (player.CHUNK) in both, so that both hold as many frames at once.
    small = _peak_of_streamed_player(64, tmp_path / "small.html")
    big = _peak_of_streamed_player(192, tmp_path / "big.html")
    # Three times the frames: a player held in memory peaks at about three times as much;
    # one streamed a chunk at a time stays within half as much again.
    assert big < 1.5 * small, (small, big)
    render.clear_cache()
    # Made afresh in this process, the same player gets the same id (not a numbered one).
    monkeypatch.setattr(player, "_ids_made", {})
    assert (tmp_path / "big.html").read_text(encoding="utf-8") == player_html(fakes.long_trace(192),
                                                                           title="long")
