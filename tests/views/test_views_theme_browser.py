"""The player as a reader meets it, in a real Chromium, in both colour schemes.

Contrast is computed from computed styles (WCAG 2 relative luminance), text sizes from each
text element's font size times its on-screen scale, at a 1300 px wide viewport. One frame
per scheme is saved under .build/screenshots/ for a person to look at; nothing compares
pixels. Debian's chromium through playwright; never `playwright install`.
"""
from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from bound_demo.views import player_html
from bound_demo.views.listing import CLOSING
from .contrast import FRAME_TEXT_JS, LINE_JS, TEXT_SPILL_JS
from .helpers import need_tool, real_run

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / ".build" / "screenshots"
SCENARIOS = ROOT / "bound_demo" / "scenarios"
# A program without its own Rust: each release's listing is generated in that release's spelling.
NEUTRAL = {"format": "bound_demo.program/1", "ops": [{"op": "gil", "body": [
    {"op": "new", "as": "a", "type": "list", "api": "bound"},
    {"op": "clone", "src": "a", "as": "b"}]}]}

@pytest.fixture(scope="module")
def traces():
    run = real_run()
    if run is None:
        pytest.skip("bound_demo.run is not there yet")
    loop = run(str(SCENARIOS / "gilref_loop.json"), pyo3="0.20")
    pair = [run(NEUTRAL, pyo3="0.21"), run(NEUTRAL, pyo3="0.26")]
    return loop, pair


@pytest.fixture(scope="module")
def site(tmp_path_factory, traces):
    need_tool("dot")
    loop, pair = traces
    root = tmp_path_factory.mktemp("theme")
    body = player_html(loop, title="loop") + player_html(pair, title="pair")
    (root / "index.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">'
        '<title>t</title><style>body{margin:0 auto;max-width:1000px;font-size:14px}</style></head>'
        f"<body>{body}</body></html>", encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    chromium = need_tool("chromium")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=ARGS)
        yield b
        b.close()


SCHEMES = {
    "light": ("light", None),
    "dark": ("dark", None),
    # mkdocs-material's toggle: the page says slate while the system says light.
    "slate": ("light", "slate"),
    "default-on-dark": ("dark", "default"),
}


def open_page(browser, url, scheme, **kw):
    media, attr = SCHEMES[scheme]
    pg = browser.new_page(viewport={"width": 1300, "height": 1000}, color_scheme=media, **kw)
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(url)
    if attr:
        pg.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{attr}')")
    return pg, errors


def frame_texts(player) -> list:
    out = []
    for svg in player.locator(".bd-frame svg").all():
        out += svg.evaluate(FRAME_TEXT_JS)
    return out


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_contrast_and_text_size_in_every_scheme(browser, site, scheme):
    pg, errors = open_page(browser, site, scheme)
    dark = scheme in ("dark", "slate")
    worst_line, worst_text, smallest = 99.0, 99.0, 99.0
    for k in range(pg.locator("[data-bd-player]").count()):
        player = pg.locator("[data-bd-player]").nth(k)
        for _ in range(int(player.get_attribute("data-bd-steps"))):
            for line in player.locator("[data-bd-line-current]").all():
                worst_line = min(worst_line, line.evaluate(LINE_JS)["contrast"])
            texts = frame_texts(player)
            assert texts, "a frame without text"
            for t in texts:
                assert t["contrast"] >= 4.5, (scheme, t)
                assert t["px"] >= 11, (scheme, t)
            worst_text = min(worst_text, min(t["contrast"] for t in texts))
            smallest = min(smallest, min(t["px"] for t in texts))
            player.locator('[data-bd-action="next"]').click()
    assert worst_line >= 4.5 and worst_text >= 4.5 and smallest >= 11
    # The scheme really switched: a dark page paints the frame's background dark.
    paper = pg.locator(".bd-frame svg g.graph > polygon").first.evaluate("(p) => getComputedStyle(p).fill")
    assert (paper == "rgb(30, 33, 41)") if dark else (paper == "rgb(255, 255, 255)"), (scheme, paper)
    print(f"\n{scheme}: highlighted line contrast >= {worst_line:.2f}, frame text contrast >= "
          f"{worst_text:.2f}, smallest frame text {smallest:.2f} px")
    assert errors == []
    pg.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshot_of_one_frame(browser, site, scheme):
    pg, _ = open_page(browser, site, scheme)
    player = pg.locator("[data-bd-player]").first
    for _ in range(2):
        player.locator('[data-bd-action="next"]').click()
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"frame-{scheme}.png"
    player.locator(".bd-pane").first.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    pg.close()


def test_one_legend_per_player_listing_what_occurs(browser, site, traces):
    pg, _ = open_page(browser, site, "light")
    players = pg.locator("[data-bd-player]")
    for k in range(players.count()):
        player = players.nth(k)
        assert player.locator("[data-bd-legend]").count() == 1
        assert player.locator(".bd-frame [data-bd-legend], svg [data-bd-legend]").count() == 0
        assert player.locator("details[data-bd-legend] > summary").count() == 1
    loop_legend = players.nth(0).locator("[data-bd-legend]").inner_text()
    pair_legend = players.nth(1).locator("[data-bd-legend]").evaluate("(d) => d.textContent")
    loop_all = players.nth(0).locator("[data-bd-legend]").evaluate("(d) => d.textContent")
    # The GIL-ref loop draws GIL refs, pool entries, marks and freed objects; no Bound, no queue.
    for text in ("GIL ref backed by the pool", "pool entry (owns +1)", "where live GILPool n starts",
                 "freed object", "changed by this step", "refcount before → after this step"):
        assert text in loop_all, text
    assert "Bound (owns +1)" not in loop_all and "pending decref" not in loop_all
    # The Bound program has Bound arrows and no pool entries.
    assert "Bound (owns +1)" in pair_legend and "pool entry" not in pair_legend
    assert "pending decref" not in pair_legend
    # Collapsed by default: only its summary shows.
    assert loop_legend.strip() == "Legend"
    pg.close()


def expected_line(step) -> str | None:
    """What the highlighted line must say: a block's closing brace for a step that happens
    where the block ends, the op's own line otherwise."""
    if step.op_path is None or step.rust is None:
        return None
    return "}" if step.event in CLOSING else step.rust.strip()


def test_highlighted_line_is_the_steps_line(browser, site, traces):
    loop, pair = traces
    pg, _ = open_page(browser, site, "light")
    player = pg.locator("[data-bd-player]").first
    checked = closing = 0
    lines = loop.rust.splitlines()
    for step in loop.steps:
        want = expected_line(step)
        current = player.locator("[data-bd-line-current]")
        if want is None or not step.line or step.line > len(lines):
            assert current.count() == 0, step
        else:
            assert current.count() == 1, step
            text = current.text_content().strip()
            if want == "}":
                assert text.startswith("}"), (step.event, step.caption, text)
                closing += 1
            else:
                assert text == want, (step.event, text, want)
            checked += 1
        player.locator('[data-bd-action="next"]').click()
    assert checked >= 15 and closing >= 9  # 4 loop-scope ends, 4 pool decrefs, drop, release
    # Lockstep: each pane shows its own release's Rust.
    two = pg.locator("[data-bd-player]").nth(1)
    listings = [p.locator(".bd-rust").text_content() for p in two.locator(".bd-pane").all()]
    assert "Python::with_gil(|py| {" in listings[0] and "Python::attach" not in listings[0]
    assert "Python::attach(|py| {" in listings[1] and "with_gil" not in listings[1]
    assert "PyList::empty_bound(py)" in listings[0] and "PyList::empty(py)" in listings[1]
    two.locator('[data-bd-action="last"]').click()
    assert two.locator("[data-bd-line-current]").count() == 0  # "end of program" has no line
    two.locator('[data-bd-action="prev"]').click()  # both panes: the GIL is released at "});"
    ends = [c.text_content().strip() for c in two.locator("[data-bd-line-current]").all()]
    assert all(e.startswith("}") for e in ends) and len(ends) == 2, ends
    pg.close()


def test_keyboard_only_and_labels(browser, site):
    pg, _ = open_page(browser, site, "light")
    player = pg.locator("[data-bd-player]").first
    # Tab from the top of the page reaches the player, then its first button.
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.hasAttribute('data-bd-player')")
    pg.keyboard.press("ArrowRight")
    pg.keyboard.press("ArrowRight")
    assert player.get_attribute("data-bd-step") == "2"
    pg.keyboard.press("Home")
    assert player.get_attribute("data-bd-step") == "0"
    pg.keyboard.press("Tab")
    pg.keyboard.press("Tab")
    pg.keyboard.press("Tab")
    pg.keyboard.press("Tab")
    focused = pg.evaluate("document.activeElement.getAttribute('data-bd-action')")
    assert focused == "next"
    ring = pg.evaluate("getComputedStyle(document.activeElement).outlineStyle + ' ' + "
                       "getComputedStyle(document.activeElement).outlineWidth")
    assert ring == "solid 3px", ring
    pg.keyboard.press("Enter")
    pg.keyboard.press(" ")
    assert player.get_attribute("data-bd-step") == "2"
    assert pg.evaluate("document.activeElement.getAttribute('data-bd-action')") == "next"
    # Every control has a name; the caption is a polite live region.
    for el in player.locator("button, input").all():
        assert (el.get_attribute("aria-label") or "").strip(), el.evaluate("(e) => e.outerHTML")
    assert player.locator(".bd-caption").first.get_attribute("aria-live") == "polite"
    pg.close()


def test_every_frame_has_a_text_alternative_and_nothing_jitters(browser, site, traces):
    loop, _ = traces
    pg, _ = open_page(browser, site, "light")
    player = pg.locator("[data-bd-player]").first
    heights = set()
    for step in loop.steps:
        svg = player.locator(".bd-frame svg")
        assert svg.get_attribute("role") == "img" and svg.get_attribute("aria-label")
        alt = pg.locator(f"#{svg.get_attribute('aria-describedby')}").text_content()
        assert alt.startswith("thread main ") and "GIL_COUNT" in alt, alt
        live = [o for o, ob in step.state.objects.items() if ob.alive]
        assert all(f"{o} object refcount {step.state.objects[o].refcount}" in alt for o in live), alt
        heights.add(round(player.locator(".bd-panes").bounding_box()["height"], 1))
        player.locator('[data-bd-action="next"]').click()
    assert len(heights) == 1, f"the player changes height between steps: {heights}"
    pg.close()


def test_change_marks_and_reduced_motion(browser, site, traces):
    loop, _ = traces
    pg, _ = open_page(browser, site, "light")
    player = pg.locator("[data-bd-player]").first
    for _ in range(11):  # step 12: "Pool releases o2", its refcount goes 1 -> 0
        player.locator('[data-bd-action="next"]').click()
    texts = [t["text"] for t in frame_texts(player)]
    assert "freed (refcount 1 → 0)" in texts, texts
    changed = player.locator('.bd-frame svg polygon[fill="#f0e442"]').first
    assert changed.evaluate("(p) => getComputedStyle(p).animationName") == "bd-changed"
    pg.close()
    pg, _ = open_page(browser, site, "light", reduced_motion="reduce")
    player = pg.locator("[data-bd-player]").first
    player.locator('[data-bd-action="next"]').click()
    changed = player.locator('.bd-frame svg polygon[fill="#f0e442"]').first
    assert changed.evaluate("(p) => getComputedStyle(p).animationName") == "none"
    pg.close()


def test_reused_groups_draw_exactly_the_packed_frame(browser, site, traces):
    """Steps re-use parsed groups; the picture must equal a fresh parse of the packed frame."""
    pg, errors = open_page(browser, site, "light")
    player = pg.locator("[data-bd-player]").first
    fresh = """(root) => {var d=JSON.parse(root.querySelector('script').textContent
        .split('mount(')[1].replace(/^[^,]*,/, '').replace(/\\);\\s*$/, ''));
      var s=+root.getAttribute('data-bd-step'),ids=d.panes[0].frames[d.timeline[s][0]];
      var box=document.createElement('div');
      box.innerHTML=ids.map(function(i){return d.parts[i]}).join('')+'</g></svg>';
      return box.querySelector('svg > g').innerHTML}"""
    steps = len(traces[0].steps)
    order = list(range(1, steps)) + [3, 11, 0, steps - 1]
    for k in order:
        player.locator(".bd-slider").evaluate(
            f"(s) => {{ s.value = '{k}'; s.dispatchEvent(new Event('input')); }}")
        shown = player.locator(".bd-frame svg > g").first.inner_html()
        assert shown == player.evaluate(fresh), f"step {k}"
    assert errors == []
    pg.close()


# The width of a notebook's output box in JupyterLab at a 1300 px wide window (the notebook
# tests use the same width for the release switcher).
NOTEBOOK_OUTPUT_PX = 820


def test_frames_fit_a_notebook_output_box(browser, tmp_path):
    """Every frame of a 0.26 and a 0.30 trace whose POOL is created part-way (the queue's
    header says so) fits a notebook output box: no text sticks out of its node, and no
    frame needs a horizontal scroll bar."""
    need_tool("dot")
    run = real_run()
    traces = [run(str(SCENARIOS / "py_dropped_on_thread.json"), pyo3=r) for r in ("0.26", "0.30")]
    page_file = tmp_path / "nb.html"
    page_file.write_text('<!doctype html><meta charset="utf-8">'
                         f'<body style="margin:0;width:{NOTEBOOK_OUTPUT_PX}px">'
                         + "".join(player_html(t) for t in traces), encoding="utf-8")
    pg = browser.new_page(viewport={"width": 1300, "height": 1000})
    pg.goto(page_file.as_uri())
    seen_not_created = 0
    for k in range(pg.locator("[data-bd-player]").count()):
        player = pg.locator("[data-bd-player]").nth(k)
        for _ in range(int(player.get_attribute("data-bd-steps"))):
            svg = player.locator(".bd-frame svg").first
            seen_not_created += "not created yet" in svg.text_content()
            assert svg.evaluate(TEXT_SPILL_JS) == []
            box = player.locator(".bd-frame").first
            assert box.evaluate("b => b.scrollWidth - b.clientWidth") <= 1
            player.locator('[data-bd-action="next"]').click()
    assert seen_not_created > 0
    pg.close()
