"""What the notebooks display: the release switcher for more than two traces, and the static
stand-in displayed beside every live widget (JupyterLab never falls back to a widget bundle's
text/html, see bound_demo.text.fallback)."""
from __future__ import annotations

import pytest

import bound_demo
from bound_demo import quiz
from bound_demo.format.builder import Program


def _traces(releases):
    return [bound_demo.scenarios.run("py_dropped_on_thread", pyo3=r) for r in releases]


@pytest.fixture(scope="module")
def three():
    return _traces(["0.20", "0.22", "0.29"])


def test_more_than_two_traces_get_the_switcher(three):
    markup = bound_demo.show(three, static=True).data
    assert markup.count("data-bd-switch") == 1
    assert markup.count('type="radio"') == 3
    assert markup.count("data-bd-player") == 1  # one lockstep player, not three
    assert markup.count('class="bd-pane"') == 3


def test_two_traces_stay_side_by_side_and_layout_overrides(three):
    assert "data-bd-switch" not in bound_demo.show(three[:2], static=True).data
    assert "data-bd-switch" not in bound_demo.show(three, static=True, layout="side").data
    assert "data-bd-switch" in bound_demo.show(three[:2], static=True, layout="switch").data


def test_an_unknown_layout_names_the_choices(three):
    with pytest.raises(ValueError, match=r"layout='grid'.*'side', 'switch'"):
        bound_demo.show(three, static=True, layout="grid")


def _displayed(monkeypatch, obj):
    import IPython.display
    shown = []
    monkeypatch.setattr(IPython.display, "display",
                        lambda x, raw=False: shown.append(x if raw else x.data))
    obj._ipython_display_()
    return shown


def test_live_player_displays_the_static_player_first(monkeypatch):
    pytest.importorskip("ipywidgets")
    from bound_demo.views.live import LivePlayer
    lp = LivePlayer(bound_demo.scenarios.get("gilref_loop"), pyo3="0.20", background=False)
    html, bundle = _displayed(monkeypatch, lp)
    assert html.startswith('<div class="bd-fallback" data-bd-fallback><style>')
    assert html.count("data-bd-player") == 1
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "bd-live" in lp._dom_classes


def test_quiz_widget_displays_the_static_question_first(monkeypatch):
    pytest.importorskip("ipywidgets")
    w = quiz.get("loop-pool").ask(static=False)
    html, bundle = _displayed(monkeypatch, w)
    assert 'class="bd-fallback"' in html and "<summary>Reveal the answer</summary>" in html
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_live_toggles_have_a_title_and_errors_are_said_once():
    pytest.importorskip("ipywidgets")
    from bound_demo.views.live import LivePlayer
    prog = Program()
    with prog.with_gil() as py:
        py.new_bound("a")
    lp = LivePlayer(prog, pyo3="0.29", background=False)
    assert lp.toggles["gil-refs"].tooltip == "Cargo feature gil-refs (PyO3 0.21–0.22): re-run with it on or off"
    assert lp.toggles["pyo3_disable_reference_pool"].tooltip.startswith(
        "--cfg flag pyo3_disable_reference_pool (PyO3 0.22–0.30)")
    text = lp.panes[0].caption.value
    assert text.count("does not exist in PyO3 0.29") == 1


def test_hints_in_the_widget_use_no_emoji():
    pytest.importorskip("ipywidgets")
    w = quiz.get("loop-pool").ask(static=False)
    w.on_hint()
    assert w.hint_box.value.startswith("<div><b>Hint 1:</b> ")
    assert all(ord(ch) < 0x2000 for ch in w.hint_box.value)


def test_switcher_shows_one_release_at_a_time_in_chromium(three, tmp_path):
    """At a notebook's width the switcher shows one full-width pane; a click (or the keyboard)
    picks another, and stepping still moves every pane."""
    from .test_jupyterlab import ARGS, _need
    chromium = _need("chromium", "/usr/bin/chromium")
    page_file = tmp_path / "switch.html"
    page_file.write_text('<!doctype html><meta charset="utf-8"><body style="width:820px">'
                         + bound_demo.show(three, static=True).data, encoding="utf-8")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.goto(page_file.as_uri())
        panes = page.locator(".bd-pane")
        assert [panes.nth(k).is_visible() for k in range(3)] == [True, False, False]
        assert panes.nth(0).bounding_box()["width"] > 700
        page.locator(".bd-switch-bar label").nth(2).click()
        assert [panes.nth(k).is_visible() for k in range(3)] == [False, False, True]
        page.locator("[data-bd-action='next']").click()
        assert page.locator(".bd-counter").inner_text().startswith("step 2 / ")
        page.focus(".bd-switch > input:checked")  # keyboard only: arrows move between releases
        page.keyboard.press("ArrowLeft")
        assert [panes.nth(k).is_visible() for k in range(3)] == [False, True, False]
        browser.close()
