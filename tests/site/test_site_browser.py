"""Every page in a real Chromium, offline: no errors, no foreign requests, players that step.

Uses Debian's chromium through Python playwright (never `playwright install`). Every page is
served from 127.0.0.1; any request to another host counts as a failure, which is how the site
proves it works offline.
"""

from __future__ import annotations

import os
import re
import shutil
from urllib.parse import urlparse

import pytest

from sitekit import in_ci, pages

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if in_ci():
            pytest.fail("playwright is not installed")
        pytest.skip("LOUD SKIP: playwright is not installed; pages were not opened in a browser")
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if in_ci():
            pytest.fail("chromium is missing")
        pytest.skip("LOUD SKIP: chromium is not installed; pages were not opened in a browser")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _offline_only(issues: list[str]):
    """A route handler: let requests to the local server through, refuse and record the rest."""
    def handle(route, request):
        host = urlparse(request.url).hostname
        if request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            issues.append(f"request to another host: {request.url}")
            route.abort()

    return handle


def test_every_page_offline_clean_and_players_step(built_site, site_url, browser):
    problems: list[str] = []
    players_seen = 0
    context = browser.new_context()
    for path in pages(built_site):
        rel = path.relative_to(built_site).as_posix()
        url = f"{site_url}/{rel}"
        page = context.new_page()
        issues: list[str] = []
        page.on("console", lambda m, i=issues: i.append(f"console {m.type}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e, i=issues: i.append(f"page error: {e}"))

        page.route("**/*", _offline_only(issues))
        page.goto(url, wait_until="load")
        players = page.locator("[data-bd-player]")
        for k in range(players.count()):
            player = players.nth(k)
            player.scroll_into_view_if_needed()
            before = player.get_attribute("data-bd-step")
            player.locator('[data-bd-action="next"]').first.click()
            page.wait_for_timeout(50)
            after = player.get_attribute("data-bd-step")
            if before == after:
                issues.append(f"player {k} did not step (data-bd-step stayed {before})")
            players_seen += 1
        page.close()
        problems += [f"{rel}: {i}" for i in issues]
    context.close()
    assert not problems, "\n".join(problems)
    # Notebook outputs spell the bare attribute data-bd-player="", the hook's HTML leaves it bare.
    in_html = sum(len(re.findall(r"data-bd-player(?=[\s>=])", p.read_text())) for p in pages(built_site))
    assert players_seen == in_html, f"{in_html} players in the HTML, {players_seen} found by the browser"
