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
