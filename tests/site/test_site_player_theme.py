"""Players on the built site, in both of mkdocs-material's schemes, at a 1300 px viewport:
the highlighted Rust line and every frame text reach 4.5:1 (from computed styles, with the
site's own CSS applied), no frame text is under 11 px, each player has one legend outside
its frames. One frame per scheme is saved under .build/screenshots/ for a person to see."""

from __future__ import annotations

import pytest

from sitekit import MEASURES, ROOT
from tests.views.contrast import FRAME_TEXT_JS, LINE_JS, TEXT_SPILL_JS
from test_site_browser import browser  # noqa: F401  (the shared Chromium fixture)

PAGES = ["index.html", "notebooks/02-gil-refs-and-the-pool/index.html"]

# How far a frame reaches past the box it sits in, and that box past the page's content
# column (CSS pixels; 0 when it fits): a frame must fit without a horizontal scroll bar.
OVERFLOW_JS = """svg => {
  const box = svg.closest('.bd-frame'), column = svg.closest('.md-content') || document.body;
  return {frame: Math.max(0, box.scrollWidth - box.clientWidth),
          column: Math.max(0, box.getBoundingClientRect().right - column.getBoundingClientRect().right),
          width: Math.round(svg.getBoundingClientRect().width)};
}"""
SHOTS = ROOT / ".build" / "screenshots"


def _measure(page) -> dict:
    worst = {"line": 99.0, "text": 99.0, "px": 99.0, "players": 0, "frame_px": 0}
    players = page.locator("[data-bd-player]")
    for k in range(players.count()):
        player = players.nth(k)
        assert player.locator("[data-bd-legend]").count() == 1
        assert player.locator(".bd-frame [data-bd-legend]").count() == 0
        for _ in range(min(int(player.get_attribute("data-bd-steps")), 6)):
            for line in player.locator("[data-bd-line-current]").all():
                worst["line"] = min(worst["line"], line.evaluate(LINE_JS)["contrast"])
            # Only frames a reader can see: a release switcher hides the panes not chosen.
            for svg in player.locator(".bd-frame svg:visible").all():
                fit = svg.evaluate(OVERFLOW_JS)
                assert fit["frame"] <= 1 and fit["column"] <= 1, fit
                assert svg.evaluate(TEXT_SPILL_JS) == []  # e.g. the queue's header, wrapped
                worst["frame_px"] = max(worst["frame_px"], fit["width"])
                for t in svg.evaluate(FRAME_TEXT_JS):
                    assert t["contrast"] >= 4.5 and t["px"] >= 11, t
                    worst["text"] = min(worst["text"], t["contrast"])
                    worst["px"] = min(worst["px"], t["px"])
            player.locator('[data-bd-action="next"]').click()
        worst["players"] += 1
    return worst


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_players_read_in_both_schemes(built_site, site_url, browser, scheme):  # noqa: F811
    context = browser.new_context(viewport={"width": 1300, "height": 1000},
                                  color_scheme="dark" if scheme == "slate" else "light")
    results = {}
    for rel in PAGES:
        page = context.new_page()
        page.goto(f"{site_url}/{rel}", wait_until="load")
        page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
        results[rel] = _measure(page)
        assert results[rel]["players"] >= 1, rel
        assert results[rel]["line"] >= 4.5, (rel, results[rel])
        if rel == "index.html":
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.locator("[data-bd-player] .bd-pane").first.screenshot(path=str(SHOTS / f"site-frame-{scheme}.png"))
        page.close()
    context.close()
    MEASURES[f"player_contrast_{scheme}"] = {
        "line": round(min(r["line"] for r in results.values()), 2),
        "frame_text": round(min(r["text"] for r in results.values()), 2),
        "smallest_px": round(min(r["px"] for r in results.values()), 2),
        "widest_frame_px": max(r["frame_px"] for r in results.values())}
