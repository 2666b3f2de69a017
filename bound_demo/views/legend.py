"""One legend per player, in HTML beside the frames rather than inside each of them.

It lists only the arrow kinds and marks that occur in the player's frames (the union of
their ``frame.Seen``), in a collapsible ``<details data-bd-legend>``. Its colours are the
frames' own custom properties, so it follows the page's colour scheme with them.
"""
from __future__ import annotations

import html

from . import palette as P
from .tables import legend_rows

_VAR = {dot.upper(): f"var(--bd-{name})" for name, (dot, _, _) in P.THEME.items()}


def union(seens) -> "object":
    """One Seen holding every kind and mark of the given ones."""
    from .frame import Seen
    out = Seen()
    for s in seens:
        if s is not None:
            out.kinds |= s.kinds
            out.marks |= s.marks
    return out


def _colour(hexcolour) -> str:
    return _VAR.get(str(hexcolour).upper(), hexcolour)


def _sample(glyph, colour, style) -> str:
    if glyph:
        return f'<span class="bd-glyph" style="color:{_colour(colour)}" aria-hidden="true">{glyph}</span>'
    if style in ("touched", "freed"):
        return f'<span class="bd-swatch" style="background:var(--bd-{style})" aria-hidden="true"></span>'
    return f'<span class="bd-glyph bd-sample-{style}" aria-hidden="true">{P.MARK_SAMPLE.get(style, "")}</span>'


def legend_html(seen, *, open_: bool = False) -> str:
    """The legend of one player; empty when its frames draw nothing a legend explains."""
    rows = legend_rows(seen.kinds, seen.marks)
    if not rows:
        return ""
    items = "".join(f"<li>{_sample(g, c, st)}<span>{html.escape(text)}</span></li>"
                    for g, c, st, text in rows)
    return (f'<details class="bd-legend" data-bd-legend{" open" if open_ else ""}>'
            f"<summary>Legend</summary><ul>{items}</ul></details>")
