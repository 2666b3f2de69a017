"""LivePlayer without a kernel: its state machine, re-runs and lockstep panes."""
from __future__ import annotations

import pytest

from . import fakes
from .helpers import EXAMPLE, real_run

pytestmark = pytest.mark.usefixtures("dot")


def test_steps_over_a_given_trace():
    from bound_demo.views.live import LivePlayer
    trace = fakes.gil_ref_trace()
    p = LivePlayer(trace, background=False)
    assert p.steps == len(trace.steps) and p.step == 0
    p.next()
    assert p.step == 1 and p.caption == trace.steps[1].caption and "<svg" in p.svg
    p.prev()
    p.prev()
    assert p.step == 0
    p.last()
    assert p.step == p.steps - 1
    p.step = 99
    assert p.step == p.steps - 1


def test_rerun_on_release_change_and_compare():
    from bound_demo.views.live import LivePlayer
    p = LivePlayer(EXAMPLE, pyo3="0.20", background=False)
    p.release.value = "0.21"
    assert p.traces[0].pyo3 == "0.21"
    p.toggles["gil-refs"].value = True
    assert "gil-refs" in p.traces[0].features
    p.other.value = "0.23"
    assert len(p.traces) == 2 and len(p._panes_box.children) == 2
    assert p.toggles["pyo3_disable_reference_pool"].disabled is False
    p.other.value = "—"
    assert len(p.traces) == 1 and p.toggles["pyo3_disable_reference_pool"].disabled is True


def test_background_prerender_fills_the_cache():
    import time
    from bound_demo.views.live import LivePlayer
    p = LivePlayer(EXAMPLE, pyo3="0.20")
    deadline = time.time() + 30
    while len(p.panes[0].svgs) < p.steps and time.time() < deadline:
        time.sleep(0.05)
    assert len(p.panes[0].svgs) == p.steps


def test_free_threaded_toggle_reruns_where_the_release_has_a_free_threaded_build():
    import ipywidgets as W
    from bound_demo import scenarios
    from bound_demo.views.live import FT_LABEL, LivePlayer
    p = LivePlayer(scenarios.get("ft_join_attached"), pyo3="0.20", background=False)
    box = p.free_threaded
    # A labelled native checkbox in the player's own rows, so Tab reaches it and Space flips it.
    assert isinstance(box, W.Checkbox) and box.description == FT_LABEL == "free-threaded Python"
    assert any(box in row.children for row in p.children if isinstance(row, W.HBox))
    assert box.disabled is True and box.value is False
    assert p.free_threaded_note.value == ("PyO3 0.20 cannot build for a free-threaded Python; "
                                          "support arrived in 0.23")
    assert box.tooltip == p.free_threaded_note.value
    p.release.value = "0.28"
    assert box.disabled is False
    assert p.free_threaded_note.value == ("re-run as built for a free-threaded CPython: "
                                          "PyO3 0.28 on Python 3.13t")
    assert p.traces[0].prof.free_threaded is False and p.traces[0].error.kind == "deadlock"
    box.value = True
    t = p.traces[0]
    assert (t.prof.free_threaded, t.prof.ft_python, t.error, len(t.steps)) == (True, "3.13t", None, 20)
    assert "PyO3 0.28 on Python 3.13t (free-threaded)" in p.panes[0].label.value
    # Compared with a release that has no free-threaded build, only the one that has it switches.
    p.other.value = "0.22"
    assert [tr.prof.free_threaded for tr in p.traces] == [True, False]
    assert box.disabled is False
    p.release.value = "0.29"
    assert p.traces[0].prof.ft_python == "3.14t"
    box.value = False
    assert [tr.prof.free_threaded for tr in p.traces] == [False, False]
    assert p.traces[0].error.kind == "deadlock"


def test_free_threaded_trace_starts_with_the_toggle_on():
    import bound_demo
    from bound_demo.views.live import LivePlayer
    trace = bound_demo.run(EXAMPLE, pyo3="0.28", free_threaded=True)
    p = LivePlayer(trace, background=False)
    assert p.free_threaded.value is True and p.traces[0] is trace
    p.release.value = "0.23"
    assert p.traces[0].prof.free_threaded is True and p.traces[0].prof.ft_python == "3.13t"
