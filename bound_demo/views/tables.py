"""HTML-like labels for the nodes of a frame: thread header, handle table, pool strip,
heap object, reference-pool queue, Python variables and the legend.

Every cell has a fixed size so a label's footprint depends only on what the
universe reserves, never on the text in it; this is what keeps nodes from
shifting when a refcount goes from 9 to 10 or a handle is renamed.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from . import palette as P
from .labels import esc, safe_id, kind_text
from .access import extra, owned_len, owned_part
from .layout import HANDLE_CAP, POOL_CAP, QUEUE_CAP, SLOT_CAP, capped, pool_width

H = 20          # row height in points
CELL = 30       # width of one pool / queue / slot cell


def _td_attrs(width, align, port, bg, colspan, border) -> str:
    """The cell's attributes, always in one order so equal cells give equal bytes."""
    attrs = (("HEIGHT", H, True), ("FIXEDSIZE", "TRUE", bool(width)), ("ALIGN", align, True),
             ("WIDTH", width, bool(width)), ("PORT", port, bool(port)), ("BGCOLOR", bg, bool(bg)),
             ("COLSPAN", colspan, colspan > 1), ("BORDER", border, border is not None))
    return " ".join(f'{key}="{value}"' for key, value, wanted in attrs if wanted)


def _styled(text, bold, italic, strike) -> str:
    """The text wrapped in <B>, then <I>, then <S> for the styles asked for."""
    for wanted, tag in zip((bold, italic, strike), "BIS"):
        if wanted:
            text = f"<{tag}>{text}</{tag}>"
    return text


def _td(text="", *, port=None, bg=None, width=None, color=None, bold=False, italic=False,
        strike=False, align="CENTER", colspan=1, size=10, border=None):
    attrs = _td_attrs(width, align, port, bg, colspan, border)
    if not text:
        # An empty cell has no text at all: Graphviz rejects empty <B></B>, and a
        # blank text element would only add bytes to every frame.
        return f"<TD {attrs}></TD>"
    font = f'<FONT POINT-SIZE="{size}"' + (f' COLOR="{color}"' if color else "") + ">"
    return f"<TD {attrs}>{font}{_styled(text, bold, italic, strike)}</FONT></TD>"


def _fit(oid) -> int:
    """Every strip cell uses one size (9 pt) so a frame never drops below the page's small
    text; cells widen instead (``cell_width``) when ids are long."""
    return 9


def _short(oid, mark: str = "") -> str:
    """An object id with an optional +/− mark in front, escaped."""
    return esc(f"{mark}{oid}")


def _with_gap(head, hidden, tail) -> list:
    """A capped run as one list, with None where the hidden entries are."""
    return head + ([None] if hidden else []) + tail


def _columns(reserved, length, cap) -> int:
    """The cells a capped row gets: what the trace reserves or the row holds, at least 5, and
    never more than its capped run (``cap`` at each end and the "+k" cell)."""
    return min(max(reserved, length, 5), 2 * cap + 1)


def cell_width(ids) -> int:
    """Width of a strip cell that fits the longest id plus a +/− mark at 9 pt (Helvetica's
    digits and lower case letters are about 5 pt wide there), never below ``CELL``."""
    longest = max((len(str(i)) for i in ids), default=0)
    return max(CELL, 5 * (longest + 1) + 8)


def _table(rows, *, color=P.BLACK, bg=P.WHITE, border=1):
    return (f'<<TABLE BORDER="{border}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="2" '
            f'COLOR="{color}" BGCOLOR="{bg}">' + "".join(f"<TR>{r}</TR>" for r in rows) + "</TABLE>>")


# How the GIL cell of a thread header looks, by whether the thread holds the GIL.
_GIL_CELL = {True: {"bold": True, "bg": P.GREEN, "color": P.ON_ACCENT},
             False: {"bold": False, "bg": P.WHITE, "color": P.MUTED}}


def thread_header(name, th, *, count_name, words, touched, width):
    # A thread that has not started yet (th is None) holds nothing and counts 0.
    held = getattr(th, "holds_gil", False)
    count = getattr(th, "gil_count", 0)
    bg = P.TOUCHED if touched else P.LIGHT
    # The count's words ("ATTACH_COUNT = 1") are longer than the state's ("attached").
    gil = _td(esc(words[0] if held else words[1]), width=width * 2 // 5, **_GIL_CELL[held])
    return _table([
        _td(f"thread {esc(name)}", width=width, bold=True, bg=bg, colspan=2),
        gil + _td(f"{esc(count_name)} = {esc(count)}", width=width - width * 2 // 5),
    ])


def _handle_kind(h) -> str:
    """The kind column: the kind, with the status once gone or what it borrows from."""
    kind = kind_text(h.kind)
    if h.status != "live":
        return f"{kind} ({h.status})"
    return f"{kind} of {h.borrows}" if h.borrows else kind


# How a handle's name looks while the handle lives and once it is gone: bold, or struck
# through and muted (the colour is also the row's text colour).
_HANDLE_LOOK = {True: {"bold": True, "strike": False, "color": None},
                False: {"bold": False, "strike": True, "color": P.MUTED}}


def _handle_row(name, h, *, touched, width) -> str:
    """A handle's row; a reserved name out of scope keeps an empty row with its port."""
    port = safe_id("h", name)
    if h is None:
        return (_td(width=width * 3 // 8, border=0) + _td(width=width * 4 // 8, border=0)
                + _td(port=port, width=width // 8, border=0))
    bg = P.TOUCHED if name in touched else None
    live = h.status == "live"
    look = _HANDLE_LOOK[live]
    return (_td(esc(name), width=width * 3 // 8, bg=bg, **look)
            + _td(esc(_handle_kind(h)), width=width * 4 // 8, bg=bg, color=look["color"], size=9)
            + _td("●" if (h.obj and live) else "", port=port, width=width // 8, bg=bg))


def handle_table(names, handles, *, touched, width):
    """One row per reserved handle name; names out of scope keep an empty row."""
    head, hidden, tail = capped(names, HANDLE_CAP)
    more = _td(f"… {hidden} more …", width=width, colspan=3, color=P.MUTED)
    rows = [_td("Rust handles", width=width, colspan=3, italic=True, color=P.MUTED)]
    rows += [more if name is None else _handle_row(name, handles.get(name), touched=touched, width=width)
             for name in _with_gap(head, hidden, tail)]
    return _table(rows)


class PoolView(NamedTuple):
    """What a strip shows: ``width`` counts entries plus room for a pool that starts at the
    very end; ``marks`` are where the live pools start; the capped run of column indices is
    ``head``, ``hidden`` ones, ``tail``; ``visible`` maps each shown entry's index to its oid."""
    width: int
    marks: list
    head: list
    hidden: int
    tail: list
    visible: dict


def pool_view(th, cap=POOL_CAP) -> PoolView:
    """What the strip of ``th`` shows; only the shown entries are read from the state."""
    if th is None:
        return PoolView(0, [], [], 0, [], {})
    n = owned_len(th)
    width = pool_width(th)
    head, hidden, tail = capped(list(range(width)), cap)
    return PoolView(width, list(th.pool_marks), head, hidden, tail,
                    {**_owned_run(th, head, n), **_owned_run(th, tail, n)})


def _owned_run(th, run, n) -> dict:
    """{index: oid} for the indices of a run of consecutive pool columns that hold an entry
    (the pool has ``n``), read from the state in one go."""
    idx = [i for i in run if i < n]
    if not idx:
        return {}
    return dict(zip(idx, owned_part(th, idx[0], idx[-1] + 1)))


def _ghost(oid, cell):
    """A cell for an entry this step took out of the pool for good: "−o1" on the highlight."""
    return _td(_short(oid, "−"), width=cell, size=9, bg=P.TOUCHED)


def _oid_cell(oid, port, cell, touched, mark=""):
    """A strip cell holding an object id, highlighted when the step touched that object."""
    return _td(_short(oid, mark), port=port, width=cell, size=_fit(oid),
               bg=P.TOUCHED if oid in touched else P.LIGHT)


def _cells_row(items, prefix, touched, cap, total, cell=CELL, ghosts=()):
    """One strip row of oids (ports prefix0, prefix1, ...), capped, padded to ``total``.

    ``ghosts`` (entries that left this row in this step) go first, without ports, as far as
    the reserved room allows; the cells keep their size, so nothing moves.
    """
    head, hidden, tail = capped(list(range(len(items))), cap)
    more = _td(f"+{hidden}", width=cell, size=9, color=P.MUTED)
    cells = [more if i is None else _oid_cell(items[i], f"{prefix}{i}", cell, touched)
             for i in _with_gap(head, hidden, tail)]
    room = max(total - len(cells), 0)
    cells = [_ghost(g, cell) for g in list(ghosts)[:room]] + cells
    return cells + [_td(width=cell)] * (total - len(cells))


def _marks_text(pools) -> str:
    """"▼1,2" for the pools that start here, nothing when none does."""
    return "▼" + ",".join(map(str, pools)) if pools else ""


class _Strip(NamedTuple):
    """One pool strip being drawn: its view, the step's touched objects, the pool's length one
    step earlier (None when unknown), the entries it released ({index: oid}), cap and cell."""
    view: PoolView
    touched: set
    added_from: int | None
    ghosts: dict
    cap: int
    cell: int


def _gap_column(strip: _Strip) -> tuple:
    """The "+k more" column, marked with the pools that start among the hidden entries."""
    view, cap, cell = strip.view, strip.cap, strip.cell
    inner = [k for k, m in enumerate(view.marks, 1) if cap <= m < view.width - cap]
    return (_td(_marks_text(inner), width=cell, size=9, border=0),
            _td(f"+{view.hidden}", width=cell, color=P.MUTED, size=9))


def _added(strip: _Strip, i, oid) -> bool:
    """Whether this step added the entry at index ``i`` (touched, and past the old length)."""
    return oid in strip.touched and strip.added_from is not None and i >= strip.added_from


def _entry_cell(i, strip: _Strip) -> str:
    """Pool entry ``i``: its oid ("+" when this step added it), a ghost, or an empty cell."""
    if i in strip.view.visible:
        oid = strip.view.visible[i]
        return _oid_cell(oid, f"p{i}", strip.cell, strip.touched, "+" if _added(strip, i, oid) else "")
    if i in strip.ghosts:
        return _ghost(strip.ghosts[i], strip.cell)
    return _td(width=strip.cell)


def _strip_column(i, strip: _Strip):
    """(mark cell, entry cell) of one strip column: index ``i``, None for "+k more", "pad"."""
    if i is None:
        return _gap_column(strip)
    if i == "pad":
        return _td(width=strip.cell, size=9, border=0), _td(width=strip.cell)
    here = [k for k, m in enumerate(strip.view.marks, 1) if m == i]
    mark = _td(_marks_text(here), width=strip.cell, size=9, color=P.MARK, bold=True, border=0)
    return mark, _entry_cell(i, strip)


def pool_strip(th, *, columns, touched, note=None, cap=POOL_CAP, releasing=0, added_from=None,
               cell=None, released=({}, ())):
    """The thread's OWNED_OBJECTS as cells, with ▼n where live GILPool n starts.

    ``releasing`` reserves a row for entries a dropping pool has split off and
    not yet decref'd (they still hold their reference). ``added_from`` is the pool's length
    before this step: touched entries from there on were added by it and carry "+".
    ``released`` ({index: oid} of the pool, [oids] of the releasing row) names the entries
    this step released for good; they show as "−o1" where they were.
    """
    if note:
        return _table([_td(esc(note), width=200, italic=True, color=P.MUTED, size=9)],
                      color=P.GREY)
    view = pool_view(th, cap)
    cell = cell or cell_width(view.visible.values())
    strip = _Strip(view, touched, added_from, released[0], cap, cell)
    shown = _columns(columns, view.width, cap)
    indices = _with_gap(view.head, view.hidden, view.tail)
    indices += ["pad"] * (shown - len(indices))
    mark_row, entry_row = zip(*(_strip_column(i, strip) for i in indices))
    title = _td("owned objects (▼n: pool n starts)", width=cell * len(indices),
                colspan=len(indices), italic=True, color=P.MUTED, size=9, border=0)
    rows = [title, "".join(mark_row), "".join(entry_row)]
    if releasing:
        rows += _releasing_rows(th, touched, cap, len(indices), cell, released[1])
    return _table(rows, border=0)


def _releasing_rows(th, touched, cap, n, cell, ghosts) -> list:
    """The caption and the cells of the entries a dropping pool has split off."""
    entries = extra(th, "releasing") if th is not None else []
    return [_td("being released by a pool drop", width=cell * n, colspan=n, italic=True,
                color=P.MUTED, size=9, border=0),
            "".join(_cells_row(entries, "r", touched, cap, n, cell=cell, ghosts=ghosts))]


def transit_table(title, items, *, prefix, reserved, touched, cap=QUEUE_CAP, cell=CELL):
    """References in transit that still count: return values in flight, leaked ones."""
    n = _columns(reserved, len(items), cap)
    return _table([_td(esc(title), width=cell * n, colspan=n, italic=True, color=P.MUTED, size=9),
                   "".join(_cells_row(items, prefix, touched, cap, n, cell=cell))])


def _refcount_text(ob, before) -> str:
    """"refcount 2", or "refcount 1 → 2" when this step changed it (``before``: the count
    one step earlier, None when unknown or the object is new)."""
    if ob is None:
        return ""
    delta = f"{before} → " if before is not None and before != ob.refcount else ""
    return _REFCOUNT_TEXT[bool(ob.alive)].format(f"{delta}{ob.refcount}")


# What an object's refcount row says while it lives and once it is freed.
_REFCOUNT_TEXT = {True: "refcount {}", False: "freed (refcount {})"}


# How an object's box looks while it lives (or is only reserved) and once it is freed:
# the title's fill, the text colour, the refcount row's fill and the border.
_OBJECT_LOOK = {True: (P.LIGHT, None, None, P.BLACK), False: (P.FREED, P.MUTED, P.FREED, P.GREY)}


def heap_object(oid, ob, *, slots, touched, width=140, before=None):
    """Type and refcount; a freed object keeps its place, greyed; containers show slots."""
    fill, color, rc_fill, border = _OBJECT_LOOK[ob is None or ob.alive]
    typ = ob.type if ob is not None else ""
    rows = [_td(f"{esc(oid)} · {esc(typ)}", width=width, bold=True, bg=P.TOUCHED if touched else fill,
                color=color),
            _td(esc(_refcount_text(ob, before)), width=width, color=color, bg=rc_fill)]
    if slots:
        rows.append(_slot_row(list(ob.items) if ob is not None else [], slots, width))
    return _table(rows, color=border)


def _slot_row(items, slots, width) -> str:
    """A container's slots as one nested row of cells, padded to the reserved ``slots``."""
    head, hidden, tail = capped(list(range(len(items))), SLOT_CAP)
    cells = _with_gap(head, hidden, tail)
    cells += ["pad"] * (min(slots, 2 * SLOT_CAP + 1) - len(cells))
    w = width // max(len(cells), 1)
    kinds = {None: _td(f"+{hidden}", width=w, size=9, color=P.MUTED), "pad": _td(width=w)}
    row = "".join(kinds[c] if c in kinds else _td(_short(items[c]), port=f"s{c}", width=w, size=9)
                  for c in cells)
    return (f'<TD COLSPAN="1" BORDER="0"><TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0">'
            f'<TR>{row}</TR></TABLE></TD>')


def queue_table(st, *, increfs, decrefs, show_increfs, touched, lazy=True, draining=(0, 0),
                cap=QUEUE_CAP, cell=CELL):
    """The process-global ReferencePool: queued increfs and decrefs in order.

    ``lazy`` says whether this release creates POOL on first use (0.22+); before
    that it is a plain static that always exists.
    """
    rows_spec = _queue_rows(st, increfs, decrefs, show_increfs, draining)
    n = max(_columns(reserved, len(entries), cap) for _, entries, reserved, _ in rows_spec)
    span = {"width": 90 + cell * n, "colspan": n + 1, "bg": P.TOUCHED if touched else P.LIGHT, "size": 9}
    rows = [_td(esc("ReferencePool POOL (global)"), bold=True, **span)]
    # Where POOL is created on first use, its state goes on a line of its own under the title:
    # on one line the two were wider than a notebook's output box. The line is there from the
    # first frame to the last, so the table keeps its height when POOL comes into being.
    if lazy:
        rows.append(_td(_POOL_STATUS[bool(getattr(st, "reference_pool_initialised", True))], **span))
    rows += [_queue_row(label, queue, prefix, n, cap, cell) for label, queue, _, prefix in rows_spec]
    return _table(rows)


# The line under a lazily created POOL's title, by whether it exists yet.
_POOL_STATUS = {True: "created", False: "not created yet"}


def _queue_rows(st, increfs, decrefs, show_increfs, draining) -> list:
    """(label, entries, reserved width, port prefix) for each row the queue shows."""
    rows = ([("pending increfs", st.pending_increfs, increfs, "i")] if show_increfs else []) + \
        [("pending decrefs", st.pending_decrefs, decrefs, "d")]
    # Entries update_counts has taken out of POOL and not yet applied, when ever seen.
    for reserved, kind in zip(draining, ("increfs", "decrefs")):
        if reserved:
            rows.append((f"draining {kind}", extra(st, f"draining_{kind}"), reserved, "x" + kind[0]))
    return rows


def _queue_row(label, queue, prefix, n, cap, cell) -> str:
    """One queue row: its label, the capped entries and empty cells up to ``n`` (queue entries
    are never highlighted one by one: the title shows that the queues changed)."""
    return _td(label, width=90, size=9) + "".join(_cells_row(queue, prefix, (), cap, n, cell=cell))


def py_var_table(names, py_vars, *, width=110):
    rows = [_td("Python variables", width=width, colspan=2, italic=True, color=P.MUTED)]
    for name in names:
        here = name in py_vars
        rows.append(_td(esc(name) if here else "", width=width - 20, bold=True)
                    + _td("●" if here else "", port=safe_id("v", name), width=20))
    return _table(rows)


def legend_rows(kinds, marks) -> list:
    """(glyph, colour, style, text) per legend row, for the arrows and marks that occur.

    ``kinds`` are EDGE keys seen in the frames, ``marks`` keys of MARK_TEXT; the HTML legend
    (views/legend.py) and the exports' in-frame legend both read this one list.
    """
    wanted = {P.LEGEND_ALIAS.get(k, k) for k in kinds}
    return ([_arrow_row(key) for key in P.LEGEND_ORDER if key in wanted]
            + [("", None, key, text) for key, text in P.MARK_TEXT.items() if key in marks])


def _arrow_row(key) -> tuple:
    """The legend row of an arrow kind: its glyph, colour, line style and text."""
    color, style, _, text = P.EDGE[key]
    return P.STYLE_GLYPH[style], color, style, text


@lru_cache(maxsize=64)
def legend(kinds: frozenset = frozenset(P.EDGE), marks: frozenset = frozenset(P.MARK_TEXT)):
    """The legend as a frame node, for exports that have no page around the picture."""
    rows = [_td("legend", width=240, colspan=2, italic=True, color=P.MUTED)]
    rows += [_legend_sample(glyph, color, style) + _td(esc(text), width=200, align="LEFT", size=9)
             for glyph, color, style, text in legend_rows(kinds, marks)]
    return _table(rows, color=P.GREY)


# Marks the legend shows as a filled cell rather than a sample text.
_LEGEND_FILLS = {"touched": P.TOUCHED, "freed": P.FREED}


def _legend_sample(glyph, color, style) -> str:
    """The sample cell of a legend row: the arrow glyph, a fill, or the mark's text."""
    if glyph:
        return _td(glyph, width=40, color=color, bold=True)
    if style in _LEGEND_FILLS:
        return _td("", width=40, bg=_LEGEND_FILLS[style])
    return _td(esc(P.MARK_SAMPLE.get(style, "")), width=40, size=9)
