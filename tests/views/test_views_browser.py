"""The static player in a real browser (Debian's chromium driven by playwright).

The page is served from 127.0.0.1 and every request is recorded, to prove the
player needs nothing from the network. Never runs `playwright install`.
"""
from __future__ import annotations

import functools
import http.server
import threading
from urllib.parse import urlparse

import pytest

from . import fakes
from bound_demo.views import player_html
from .helpers import need_tool

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    need_tool("dot")
    root = tmp_path_factory.mktemp("site")
    from .helpers import EXAMPLE, real_run
    run = real_run()
    first = run(EXAMPLE, pyo3="0.20") if run else fakes.gil_ref_trace()
    second = fakes.long_trace(12)
    pair = [run(EXAMPLE, pyo3="0.20"), run(EXAMPLE, pyo3="0.23")] if run else [
        fakes.gil_ref_trace(), fakes.long_trace(6)]
    body = (player_html(first, title="one", interval_ms=60) + "<p>between</p>"
            + player_html(second, title="two") + player_html(pair, title="pair"))
    (root / "index.html").write_text(
        f'<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>t</title></head><body>{body}</body></html>',
        encoding="utf-8")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html", len(first.steps)
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    chromium = need_tool("chromium")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, site):
    url, _ = site
    pg = browser.new_page()
    errors, hosts = [], set()
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("request", lambda r: hosts.add(urlparse(r.url).hostname))
    pg.goto(url)
    yield pg
    assert errors == [], errors
    assert hosts <= {"127.0.0.1"}, hosts
    pg.close()


def step(root) -> int:
    return int(root.get_attribute("data-bd-step"))


def caption(root) -> str:
    return root.locator(".bd-caption").first.text_content()


def test_buttons_keys_and_slider(page, site):
    _, n = site
    one, two = page.locator("[data-bd-player]").nth(0), page.locator("[data-bd-player]").nth(1)
    assert step(one) == 0 and int(one.get_attribute("data-bd-steps")) == n
    c0 = caption(one)
    one.locator('[data-bd-action="next"]').click()
    assert step(one) == 1 and caption(one) != c0
    one.locator('[data-bd-action="prev"]').click()
    assert step(one) == 0 and caption(one) == c0
    one.locator('[data-bd-action="last"]').click()
    assert step(one) == n - 1
    one.press("ArrowLeft")
    assert step(one) == n - 2
    one.press("Home")
    assert step(one) == 0
    one.press("ArrowRight")
    assert step(one) == 1 and caption(one) != c0
    one.locator('[data-bd-action="first"]').click()
    one.locator(".bd-slider").evaluate("(s) => { s.value = '2'; s.dispatchEvent(new Event('input')); }")
    assert step(one) == 2
    assert step(two) == 0, "players on one page are independent"


def test_play_advances_and_stops(page, site):
    _, n = site
    one = page.locator("[data-bd-player]").first
    one.locator('[data-bd-action="play"]').click()
    page.wait_for_function("() => document.querySelector('[data-bd-player]').dataset.bdStep === '%d'" % (n - 1),
                           timeout=10_000)
    assert one.locator('[data-bd-action="play"]').get_attribute("aria-pressed") == "false"


def test_frame_changes_with_step(page):
    two = page.locator("[data-bd-player]").nth(1)
    before = two.locator(".bd-frame").inner_html()
    two.locator('[data-bd-action="last"]').click()
    assert two.locator(".bd-frame").inner_html() != before
    assert two.locator(".bd-frame svg").count() == 1


def test_lockstep_panes(page):
    pair = page.locator("[data-bd-player]").nth(2)
    assert pair.locator(".bd-pane").count() == 2
    before = [c.text_content() for c in pair.locator(".bd-caption").all()]
    pair.locator('[data-bd-action="next"]').click()
    after = [c.text_content() for c in pair.locator(".bd-caption").all()]
    assert step(pair) == 1 and after != before


def test_first_frame_without_javascript(browser, site):
    url, _ = site
    ctx = browser.new_context(java_script_enabled=False)
    pg = ctx.new_page()
    pg.goto(url)
    svg = pg.locator("[data-bd-player] .bd-frame svg").first
    assert svg.is_visible()
    box = svg.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 50
    ctx.close()
