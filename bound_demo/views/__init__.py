"""Views of bound_demo traces: Graphviz frames, a step player (static HTML and live
ipywidgets), matplotlib charts and file exports.

Heavy or optional dependencies (ipywidgets, matplotlib, Pillow) load only when the
function that needs them is called, so ``import bound_demo.views`` stays cheap.
"""
from __future__ import annotations

from .frame import draw_step

__all__ = ["draw_step", "player_html", "show", "LivePlayer", "render_svgs",
           "refcount_chart", "pool_chart", "chart"]


def __getattr__(name):
    if name in ("player_html",):
        from .player import player_html
        return player_html
    if name == "render_svgs":
        from .render import render_svgs
        return render_svgs
    if name == "show":
        from .showing import show
        return show
    if name == "LivePlayer":
        from .live import LivePlayer
        return LivePlayer
    if name in ("refcount_chart", "pool_chart", "chart"):
        from . import charts as _charts
        return getattr(_charts, name)
    raise AttributeError(name)
