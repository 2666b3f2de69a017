"""Colours and line styles shared by every view, and the two themes they switch between.

All hues come from the Okabe–Ito palette, which stays distinguishable for the common forms
of colour blindness. Meaning is never carried by colour alone: every kind of reference also
has its own line style (solid, dashed, dotted), and what a step changed also says so in
text where it can (a refcount delta ``1 → 2``, ``+o1`` / ``−o1`` on a pool entry), so a
grey-scale print still reads.

Graphviz writes each colour as a literal ``fill``/``stroke`` attribute. Every colour a frame
uses has one job (page, ink, muted text, rule, cell, ...) and its own hex value, so
``theme_css`` can repaint a frame from CSS alone: an attribute selector per colour maps it
onto a custom property, and the custom properties take their light or dark value from
``prefers-color-scheme``, mkdocs-material's ``data-md-color-scheme`` or JupyterLab's
``data-jp-theme-light``. The DOT source and the packed frames stay the same for both themes.
"""
from __future__ import annotations

ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
BLACK = "#000000"

# Neutral tones for structure. Each value has a single job so the theme can repaint it.
GREY = "#999999"       # rules: cluster borders, grey edges (never text: too faint to read)
MUTED = "#595959"      # secondary text: titles, freed objects, gone handles (7:1 on white)
LIGHT = "#EEEEEE"      # filled cells
FREED = "#D9D9D9"      # a freed object's cells
WHITE = "#FFFFFF"      # the page behind the frame
ON_ACCENT = "#0A0A0A"  # text on a saturated fill (the green "holds GIL" cell), dark in both themes
MARK = "#9A5B00"       # the pool marks' text: orange, darkened until it reads on white

# Background of anything the current step changed.
TOUCHED = YELLOW

FONT = "Helvetica"

# One entry per kind of arrow: (colour, style, width, legend text).
EDGE = {
    "bound": (BLUE, "solid", 2.0, "Bound (owns +1)"),
    "py": (GREEN, "solid", 2.0, "Py (owns +1)"),
    "python": (GREY, "solid", 1.0, "Python token"),
    "gil_ref": (ORANGE, "solid", 2.0, "GIL ref backed by the pool"),
    "gil_ref_borrow": (ORANGE, "dashed", 1.2, "GIL ref not in a pool (borrow)"),
    "pool": (ORANGE, "solid", 2.0, "pool entry (owns +1)"),
    "borrowed": (SKY, "dashed", 1.2, "Borrowed / &Bound (no +1)"),
    "bound_ref": (SKY, "dashed", 1.2, "&Bound (no +1)"),
    "slot": (BLACK, "solid", 1.2, "container slot (owns +1)"),
    "py_var": (PURPLE, "solid", 2.0, "Python variable (owns +1)"),
    "incref": (GREEN, "dotted", 1.6, "pending incref"),
    "decref": (VERMILLION, "dotted", 1.6, "pending decref"),
    "in_flight": (BLACK, "solid", 2.0, "return value in flight (owns +1)"),
    "leaked": (GREY, "solid", 2.0, "leaked reference (+1 never released)"),
    # A pyclass's Option<Py<T>> field: a Py, labelled with the field's name (views/fields.py).
    "field": (GREEN, "solid", 1.6, "pyclass field, labelled with its name (a Py: owns +1)"),
    # Borrows of a pyclass (views/fields.py maps the handle kinds onto these).
    "pyref": (BLUE, "solid", 2.0, "PyRef / PyRefMut (owns +1, from 0.21)"),
    "pyref_borrow": (BLUE, "dashed", 1.2, "PyRef / PyRefMut in 0.20 (no +1)"),
    "guard": (SKY, "dashed", 1.2, "PyClassGuard / PyClassGuardMut (no +1)"),
}

# The legend lists these, in this order; the aliases share a row with the key they map to.
LEGEND_ORDER = ["bound", "py", "gil_ref", "pool", "gil_ref_borrow", "borrowed", "pyref", "pyref_borrow",
                "guard", "slot", "field", "py_var",
                "incref", "decref", "in_flight", "leaked", "python"]
LEGEND_ALIAS = {"bound_ref": "borrowed"}

# Glyphs that imitate each line style inside the HTML legend, where no real edge can go.
STYLE_GLYPH = {"solid": "━━━", "dashed": "╍╍╍", "dotted": "┈┈┈"}

# The marks a legend may explain besides the arrows (see frame.Seen), in legend order.
MARK_TEXT = {
    "touched": "changed by this step",
    "delta": "refcount before → after this step",
    "added": "pool entry added by this step",
    "released": "pool entry released by this step",
    "pool_mark": "where live GILPool n starts",
    "freed": "freed object (kept in place, greyed)",
    "borrow": "pyclass borrow flag held: shared (& ×n) or exclusive (&mut)",
    "gc_tracked": "the cyclic garbage collector tracks this object's type",
    "gc_found": "found unreachable by the last gc.collect() (freed or kept)",
}
# What stands beside each mark's text in a legend (touched and freed show a swatch instead).
MARK_SAMPLE = {"delta": "1 → 2", "added": "+o1", "released": "−o1", "pool_mark": "▼1",
               "borrow": "& ×2", "gc_tracked": "GC", "gc_found": "found"}

# name: (colour written in the DOT source, light value, dark value).
# Dark values keep the Okabe–Ito hues; the neutrals flip, and the highlight darkens to an olive
# that light text reads on (7.6:1) while staying a yellow, as the legend says.
THEME = {
    "paper": (WHITE, "#ffffff", "#1e2129"),
    "ink": (BLACK, "#000000", "#e6e6e6"),
    "muted": (MUTED, MUTED, "#c0c0c0"),
    "rule": (GREY, GREY, "#80868f"),
    "cell": (LIGHT, LIGHT, "#2c313c"),
    "freed": (FREED, FREED, "#3b3f47"),
    "touched": (TOUCHED, TOUCHED, "#4f4600"),
    "mark": (MARK, MARK, ORANGE),
    "on-accent": (ON_ACCENT, ON_ACCENT, ON_ACCENT),
}

# The Rust listing and the page chrome of a player, per theme: (light, dark).
CHROME = {
    "bg": ("#ffffff", "#1e2129"),
    "fg": ("#111111", "#e6e6e6"),
    "border": ("#bbbbbb", "#4a4f5a"),
    "code-bg": ("#f7f7f7", "#23262e"),
    "line-bg": (YELLOW, "#4f4600"),
    "line-fg": ("#111111", "#f5f5f5"),
    "button-bg": ("#f4f4f4", "#2c313c"),
    "release": (BLUE, SKY),
    "notes": ("#B04A00", "#F0A060"),
    "focus": (BLUE, SKY),
}

# Pages that set a scheme explicitly win over the system preference; mkdocs-material marks
# the body with data-md-color-scheme, JupyterLab with data-jp-theme-light.
DARK_SCOPES = ('[data-md-color-scheme="slate"]', 'body[data-jp-theme-light="false"]')
LIGHT_SCOPES = ('[data-md-color-scheme="default"]', 'body[data-jp-theme-light="true"]')


def _vars(which: int) -> str:
    frame = "".join(f"--bd-{name}:{values[which + 1]};" for name, values in THEME.items())
    chrome = "".join(f"--bd-ui-{name}:{values[which]};" for name, values in CHROME.items())
    return frame + chrome


def _scoped(scopes, root: str) -> str:
    return ",".join(f"{s} {root}" for s in scopes)


def theme_css(root: str = ".bd-player", frame: str = " .bd-svg") -> str:
    """CSS that themes every frame ``{root}{frame}``: custom properties per scheme on
    ``root``, then one attribute selector per DOT colour (Graphviz writes hex in lower case).

    A standalone SVG passes ``root="svg.bd-svg", frame=""``: the picture is its own root.
    """
    light, dark = _vars(0), _vars(1)
    out = [f"{root}{{{light}}}",
           f"@media (prefers-color-scheme: dark){{{root}{{{dark}}}}}",
           f"{_scoped(LIGHT_SCOPES, root)}{{{light}}}",
           f"{_scoped(DARK_SCOPES, root)}{{{dark}}}",
           f"{root}{frame} text{{fill:var(--bd-ink)}}"]
    for name, (dot, _, _) in THEME.items():
        hexcode = dot.lower()
        out.append(f'{root}{frame} [fill="{hexcode}"]{{fill:var(--bd-{name})}}')
        out.append(f'{root}{frame} [stroke="{hexcode}"]{{stroke:var(--bd-{name})}}')
    return "\n".join(out)
