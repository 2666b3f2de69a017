"""Notebook pages keep the code in their titles: in the page title, the navigation and the
table of contents (docs/hooks/nav.py repairs what mkdocs-jupyter drops)."""

from __future__ import annotations

import html as htmllib
import re

from sitekit import MEASURES, pages

HEADING = re.compile(r'<h([1-6]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
CODE = re.compile(r"<code>(.*?)</code>", re.S)


def _text(fragment: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def _nav_links(page_html: str, href_end: str, secondary: bool) -> list[str]:
    """Texts of the navigation links pointing at ``href_end`` (primary nav or page TOC)."""
    part = page_html.split('md-nav--secondary', 1)
    nav = part[1] if secondary and len(part) > 1 else part[0]
    return [_text(t) for h, t in re.findall(r'<a href="([^"]*)"[^>]*class="md-nav__link[^"]*"[^>]*>(.*?)</a>',
                                            nav, re.S) if h.endswith(href_end)]


def _notebook_pages(site):
    for page in pages(site):
        rel = page.relative_to(site).as_posix()
        if rel.startswith("notebooks/") and rel.count("/") == 2:
            yield rel, page.read_text()


def _check_title(rel: str, text: str, h1: str) -> int:
    """The level-1 heading's code words in the page title and the page's own nav entry."""
    title = _text(re.search(r"<title>(.*?)</title>", text, re.S).group(1))
    own = [t for t in _nav_links(text, "./", secondary=False) if t]
    words = [_text(c) for c in CODE.findall(h1)]
    for word in words:
        assert word in title, (rel, word, title)
        assert any(word in t for t in own), (rel, word, own)
    return len(words)


def _check_toc(rel: str, text: str, headings) -> int:
    """Every lower heading's code words in its table-of-contents entry. (mkdocs-material
    shows a page's level-1 heading as its title, not in its TOC.)"""
    checked = 0
    for level, hid, inner in headings:
        words = [_text(c) for c in CODE.findall(inner)]
        if not words or level == 1:
            continue
        toc = _nav_links(text, f"#{hid}", secondary=True)
        assert toc, (rel, hid, "no table-of-contents entry")
        for word in words:
            assert any(word in t for t in toc), (rel, word, toc)
            checked += 1
    return checked


def test_notebook_titles_keep_their_code(built_site):
    checked = 0
    for rel, text in _notebook_pages(built_site):
        content = text.split("<article", 1)[1]
        headings = [(int(lv), hid, inner) for lv, hid, inner in HEADING.findall(content)]
        h1 = next(inner for lv, _, inner in headings if lv == 1)
        checked += _check_title(rel, text, h1) + _check_toc(rel, text, headings)
    MEASURES["notebook_title_code_words"] = checked
    assert checked >= 15, f"only {checked} code words checked: the notebooks' headings changed?"
