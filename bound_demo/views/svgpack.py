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
    # Width and height go: CSS scales the picture to its box, keeping the viewBox ratio.
    s = _SIZE.sub('<svg class="bd-svg" preserveAspectRatio="xMidYMin meet"', s, count=1)
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


def standalone(svg: str) -> str:
    """A minified SVG that scales to its container and keeps its font without page CSS."""
    s = minify(svg)
    return s.replace('<svg class="bd-svg"', '<svg class="bd-svg" style="width:100%;height:auto;'
                     'max-height:75vh;font-family:Helvetica,Arial,sans-serif"', 1)
