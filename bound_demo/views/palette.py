"""Colours and line styles shared by every view.

All colours come from the Okabe–Ito palette, which stays distinguishable for the
common forms of colour blindness. Meaning is never carried by colour alone: every
kind of reference also has its own line style (solid, dashed, dotted) and every
highlighted cell also changes its border, so a grey-scale print still reads.
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

# Neutral tones for structure (frames, freed objects, empty reserved slots).
GREY = "#999999"
LIGHT = "#EEEEEE"
FREED = "#D9D9D9"
WHITE = "#FFFFFF"

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
}

# The legend lists these, in this order (the aliases above share a row).
LEGEND_ORDER = ["bound", "py", "pool", "gil_ref_borrow", "borrowed", "slot", "py_var",
                "incref", "decref", "in_flight", "leaked"]

# Glyphs that imitate each line style inside the HTML legend, where no real edge can go.
STYLE_GLYPH = {"solid": "━━━", "dashed": "╍╍╍", "dotted": "┈┈┈"}
