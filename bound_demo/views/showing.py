"""``show``: the one call a notebook or a docs page needs.

In a live Jupyter kernel with ipywidgets, it returns a ``LivePlayer``. Anywhere
else, or with ``static=True``, it returns the static HTML player as an
``IPython.display.HTML`` (which also works on a static site, since it needs no
kernel). Set the environment variable ``BOUND_DEMO_STATIC=1`` while building a
site from executed notebooks, so every ``show`` there produces static HTML.
"""
from __future__ import annotations

import os

from .releases import allowed


def _in_live_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    if getattr(get_ipython(), "kernel", None) is None:  # no shell at all (None) has no kernel
        return False
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def _is_trace(x) -> bool:
    return hasattr(x, "steps") and hasattr(x, "pyo3")


class _Html:
    """Stand-in for IPython.display.HTML when IPython is not installed."""

    def __init__(self, data: str):
        self.data = data

    def _repr_html_(self):
        return self.data


def _wants_static(static) -> bool:
    """Static HTML unless asked otherwise, or when no live kernel can show a widget."""
    if static is not None:
        return static
    return os.environ.get("BOUND_DEMO_STATIC", "") not in ("", "0") or not _in_live_kernel()


def _release_list(pyo3, compare) -> list:
    """The releases asked for: one or a list in ``pyo3``, then ``compare``."""
    releases = list(pyo3) if isinstance(pyo3, (list, tuple)) else ([pyo3] if pyo3 else [])
    return releases + ([compare] if compare else [])


def _live(program_or_trace, releases, features, cfg):
    from .live import LivePlayer
    first = releases[0] if releases else None
    second = releases[1] if len(releases) > 1 else None
    return LivePlayer(program_or_trace, pyo3=first, features=features, cfg=cfg, compare=second)


def _traces(program_or_trace, releases, features, cfg) -> list:
    """The traces to show: the ones given, or the program run for each release."""
    if isinstance(program_or_trace, (list, tuple)):
        return list(program_or_trace)
    if _is_trace(program_or_trace):
        return [program_or_trace]
    import bound_demo
    from .releases import DEFAULT_RELEASE
    # With no release named, the one bound_demo.run assumes.
    return [bound_demo.run(program_or_trace, pyo3=r, features=allowed(features, r), cfg=allowed(cfg, r))
            for r in releases or [DEFAULT_RELEASE]]


def _markup(traces, layout, title) -> str:
    from .player import player_html
    from .switch import default_layout, switch_html
    if (layout or default_layout(len(traces))) == "switch" and len(traces) > 1:
        return switch_html(traces, title=title)
    return player_html(traces, title=title)


def show(program_or_trace, pyo3=None, *, features=(), cfg=(), compare=None,
         static: bool | None = None, title: str | None = None, layout: str | None = None):
    """Show a program, a trace or a list of traces as a step player.

    ``pyo3`` may be one release or a list of releases; ``compare`` adds one more
    release beside the first. ``layout`` places several traces: ``"side"`` (side
    by side) or ``"switch"`` (one release at a time, chosen with a switcher); by
    default two traces go side by side and more get the switcher.
    """
    from .switch import check_layout
    if layout is not None:
        check_layout(layout)
    static = _wants_static(static)
    releases = _release_list(pyo3, compare)
    if not static and not isinstance(program_or_trace, (list, tuple)):
        return _live(program_or_trace, releases, features, cfg)
    markup = _markup(_traces(program_or_trace, releases, features, cfg), layout, title)
    try:
        from IPython.display import HTML
    except ImportError:
        return _Html(markup)
    return HTML(markup)
