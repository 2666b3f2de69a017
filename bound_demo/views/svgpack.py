"""Making Graphviz SVG small enough to ship a hundred frames in one page.

``minify`` drops what a browser does not need (XML prolog, comments, titles,
ids that would clash between players on one page, repeated font attributes,
sub-decimal precision). ``pack`` cuts each frame into its top-level groups
(one per node, edge or cluster). Because the layout is stable, most groups are
byte-identical between frames, so a shared table of unique groups plus a list of
indices per frame is far smaller than the frames themselves.
"""
from __future__ import annotations

import re

_PROLOG = re.compile(r"^.*?(?=<svg)", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TITLE = re.compile(r"<title>.*?</title>", re.S)
_ID = re.compile(r' id="[^"]*"')
_FONT = re.compile(r' font-family="[^"]*"')
_GAP = re.compile(r">\s+<")
_GEOM = re.compile(r'\b(points|d|x|y|transform|viewBox)="([^"]*)"')
_NUM = re.compile(r"(-?\d+)\.(\d)\d*")
_SIZE = re.compile(r'<svg width="[^"]*" height="[^"]*"')
_VIEWBOX = re.compile(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) [\d.]+"')
# Screen pixels per Graphviz point in a player: frames use 9 pt type at the smallest, so
# 1.25 px/pt keeps every text at 11.25 px or more, the page's small text size.
PX_PER_PT = 1.25
_GROUP = re.compile(r'(?=<g class="(?:node|edge|cluster)">)')
FOOTER = "</g></svg>"


def _round(m):
    value = _NUM.sub(lambda n: n.group(1) if n.group(2) == "0" else f"{n.group(1)}.{n.group(2)}",
                     m.group(2))
    return f'{m.group(1)}="{value}"'


def minify(svg: str) -> str:
    s = _PROLOG.sub("", svg, count=1)
    s = _COMMENT.sub("", s)
    s = _TITLE.sub("", s)
    s = _ID.sub("", s)
    s = _FONT.sub("", s)
    s = _GEOM.sub(_round, s)
    # Width and height go: CSS scales the picture to its box, keeping the viewBox ratio,
    # but never below PX_PER_PT (the box scrolls instead), so the type stays readable.
    m = _VIEWBOX.search(s)
    floor = f' style="min-width:{round(float(m.group(1)) * PX_PER_PT)}px"' if m else ""
    s = _SIZE.sub(f'<svg class="bd-svg"{floor} preserveAspectRatio="xMidYMin meet"', s, count=1)
    s = _GAP.sub("><", s).strip()
    return s


def split(svg: str) -> list:
    """A minified SVG as [header, group, group, ...] without the closing tags."""
    body = svg[:-len(FOOTER)] if svg.endswith(FOOTER) else svg
    return [p for p in _GROUP.split(body) if p]


class Packer:
    """A table of unique SVG fragments shared by all frames of one player."""

    def __init__(self):
        self.parts: list = []
        self._index: dict = {}

    def add(self, svg: str) -> list:
        ids = []
        for part in split(minify(svg)):
            i = self._index.get(part)
            if i is None:
                i = self._index[part] = len(self.parts)
                self.parts.append(part)
            ids.append(i)
        return ids

    def join(self, ids: list) -> str:
        return "".join(self.parts[i] for i in ids) + FOOTER


def _alt(title: str, desc: str) -> str:
    from html import escape
    return (f"<title>{escape(title, quote=False)}</title>"
            + (f"<desc>{escape(desc, quote=False)}</desc>" if desc else ""))


def standalone(svg: str, *, title: str = "", desc: str = "") -> str:
    """A minified SVG that carries its own theme (a ``<style>`` with both colour schemes),
    font and text alternative (``<title>``/``<desc>``), for exports and the live player."""
    from .palette import theme_css
    s = minify(svg)
    s = s.replace('<svg class="bd-svg" style="', '<svg class="bd-svg" role="img" style="width:100%;height:auto;'
                  'font-family:Helvetica,Arial,sans-serif;', 1)
    head_end = s.index(">") + 1
    style = f"<style>{theme_css('svg.bd-svg', '')}</style>"
    return s[:head_end] + (_alt(title, desc) if title or desc else "") + style + s[head_end:]
