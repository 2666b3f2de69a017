"""The site builds strictly, stays within its size budget, and shows what it promises."""

from __future__ import annotations

import re

from sitekit import MEASURES, ROOT, pages

PAGE_BUDGET = 1_000_000  # bytes a page may load from this site, HTML included (issue 15: ≤ 1 MB)


def _page_weight(site, page) -> int:
    """HTML plus the local scripts and stylesheets it references (fetched once each)."""
    html = page.read_text()
    total = len(html.encode())
    for ref in set(re.findall(r'(?:src|href)="([^"#?]+\.(?:js|css))[^"]*"', html)):
        if ref.startswith(("http:", "https:", "//")):
            continue
        target = (page.parent / ref).resolve()
        if target.is_file():
            total += target.stat().st_size
    return total


def test_every_page_within_budget(built_site):
    weights = {p.relative_to(built_site).as_posix(): _page_weight(built_site, p) for p in pages(built_site)}
    largest = max(weights, key=weights.get)
    MEASURES["largest_page"] = largest
    MEASURES["largest_page_kb"] = round(weights[largest] / 1024)
    MEASURES["pages"] = len(weights)
    over = {k: v for k, v in weights.items() if v > PAGE_BUDGET}
    assert not over, f"pages over 1 MB: {over}"


def test_expected_pages_exist(built_site):
    for rel in ["index.html", "migration/0.21/index.html", "migration/0.29/index.html",
                "api-timeline/index.html", "errors/index.html", "reference/python-api/index.html",
                "reference/simplifications/index.html", "reference/verification/index.html"]:
        assert (built_site / rel).is_file(), rel


def test_every_rust_block_has_a_release_badge(built_site):
    """Each Rust block sits right under the badge naming the release the harness compiled it
    against; a block without one would be a block nothing vouches for."""
    total = 0
    for page in pages(built_site):
        html = page.read_text()
        blocks = html.count('<div class="language-rust highlight">')
        badged = len(re.findall(r'<p class="bd-release" data-bd-release="[^"]+">.*?</p>\s*'
                                r'<div class="language-rust highlight">', html))
        assert badged == blocks, f"{page.relative_to(built_site)}: {blocks} Rust blocks, {badged} with a badge"
        total += blocks
    MEASURES["rust_blocks"] = total
    assert total > 0, "no Rust block found: the check would be vacuous"


def test_timeline_table_is_rendered(built_site):
    html = (built_site / "api-timeline" / "index.html").read_text()
    assert "Python::with_gil" in html and "probe compiled" in html


def test_every_player_marker_became_a_player(built_site):
    """The hook renders every marker with the model; an import failure breaks the build."""
    placeholders = [p.relative_to(built_site).as_posix() for p in pages(built_site)
                    if "bd-player-placeholder" in p.read_text()]
    assert not placeholders, f"placeholder players left on: {placeholders}"
    home = (built_site / "index.html").read_text()
    assert "data-bd-player" in home, "the Home page animation is missing"


def test_notebook_pages_have_launch_and_download(built_site):
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 7
    for nb in notebooks:
        page = built_site / "notebooks" / nb.stem / "index.html"
        html = page.read_text()
        assert "mybinder.org/v2/gh/" in html and f"notebooks/{nb.name}" in html
        assert 'download>Download the notebook' in html
        assert (built_site / "notebooks" / nb.stem / nb.name).is_file(), "the .ipynb is not in the site"


def test_simplifications_page_lists_every_tag(built_site):
    """The page is generated from the source, so it must list every tag the source has."""
    tags = sum(p.read_text().count("Simplification:") for p in (ROOT / "bound_demo").rglob("*.py"))
    html = (built_site / "reference" / "simplifications" / "index.html").read_text()
    article = html[html.index("<article"):html.index("</article>")]
    # Each generated item ends with the file it comes from; the page's own sections (the
    # witness's departures, which are not in bound_demo/) are hand-written lists besides.
    assert article.count("<small>(<code>bound_demo/") == tags
