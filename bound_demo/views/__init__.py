"""Views of bound_demo traces: Graphviz frames, a step player (static HTML and live
ipywidgets), matplotlib charts and file exports.

Heavy or optional dependencies (ipywidgets, matplotlib, Pillow) load only when the
function that needs them is called, so ``import bound_demo.views`` stays cheap.
"""
from __future__ import annotations

from .frame import draw_step

__all__ = ["draw_step", "player_html", "show", "LivePlayer", "render_svgs",
           "refcount_chart", "pool_chart", "chart"]


# The module each lazily loaded name lives in.
_LAZY = {"player_html": "player", "render_svgs": "render", "show": "showing", "LivePlayer": "live",
         "refcount_chart": "charts", "pool_chart": "charts", "chart": "charts"}


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(name)
    from importlib import import_module
    return getattr(import_module(f".{_LAZY[name]}", __name__), name)
