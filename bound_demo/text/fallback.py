"""The static stand-in stored beside each live widget, for notebooks reopened without a kernel.

JupyterLab 4 with ipywidgets 8 (jupyterlab_widgets 3) renders a widget output with the widget
renderer whenever the output carries the widget mime type, even when the widget's model is
gone: it then prints "Error displaying widget: model not found" and never falls back to a
`text/html` entry of the same bundle. So the stand-in goes into its *own* output, displayed
just before the widget, and CSS decides which of the two is visible: while the live widget
(`.bd-live`) is in the same output area the stand-in is hidden; when the widget cannot be
shown, the stand-in stays and the renderer's error line is hidden.
"""
from __future__ import annotations

LIVE_CLASS = "bd-live"

_CSS = (
    f".jp-OutputArea:has(.{LIVE_CLASS}) .bd-fallback,"
    f".jp-Cell-outputArea:has(.{LIVE_CLASS}) .bd-fallback{{display:none}}"
    f".jp-OutputArea:has(.bd-fallback) .jp-OutputArea-output.jupyter-widgets:not(:has(.{LIVE_CLASS}))"
    "{display:none}"
)


def fallback_html(markup: str) -> str:
    """`markup` wrapped as the stand-in of the live widget displayed right after it."""
    return f'<div class="bd-fallback" data-bd-fallback><style>{_CSS}</style>{markup}</div>'


def display_with_fallback(widget, markup: str) -> None:
    """Display the stand-in, then the widget (what `_ipython_display_` of a live widget does)."""
    from IPython.display import HTML, display
    display(HTML(fallback_html(markup)))
    bundle = widget._repr_mimebundle_()
    if isinstance(bundle, tuple):
        bundle = bundle[0]
    display(bundle, raw=True)
