"""HTML-like labels for the nodes of a frame: thread header, handle table, pool strip,
heap object, reference-pool queue, Python variables and the legend.

Every cell has a fixed size so a label's footprint depends only on what the
universe reserves, never on the text in it; this is what keeps nodes from
shifting when a refcount goes from 9 to 10 or a handle is renamed.
"""
from __future__ import annotations

from functools import lru_cache

from . import palette as P
from .labels import esc, safe_id, kind_text
from .access import extra, owned_len, owned_part
from .layout import HANDLE_CAP, POOL_CAP, QUEUE_CAP, SLOT_CAP, capped

H = 20          # row height in points
CELL = 30       # width of one pool / queue / slot cell


def _td(text="", *, port=None, bg=None, width=None, color=None, bold=False, italic=False,
        strike=False, align="CENTER", colspan=1, size=10, border=None):
    attrs = [f'HEIGHT="{H}"', 'FIXEDSIZE="TRUE"' if width else "", f'ALIGN="{align}"']
    if width:
        attrs.append(f'WIDTH="{width}"')
    if port:
        attrs.append(f'PORT="{port}"')
    if bg:
        attrs.append(f'BGCOLOR="{bg}"')
    if colspan > 1:
        attrs.append(f'COLSPAN="{colspan}"')
    if border is not None:
        attrs.append(f'BORDER="{border}"')
    if not text:
        # An empty cell has no text at all: Graphviz rejects empty <B></B>, and a
        # blank text element would only add bytes to every frame.
        return f"<TD {' '.join(a for a in attrs if a)}></TD>"
    body = text
    if bold:
        body = f"<B>{body}</B>"
    if italic:
        body = f"<I>{body}</I>"
    if strike:
        body = f"<S>{body}</S>"
    font = f'<FONT POINT-SIZE="{size}"' + (f' COLOR="{color}"' if color else "") + ">"
    return f"<TD {' '.join(a for a in attrs if a)}>{font}{body}</FONT></TD>"


def _fit(oid) -> int:
    """Every strip cell uses one size (9 pt) so a frame never drops below the page's small
    text; cells widen instead (``cell_width``) when ids are long."""
    return 9


def _short(oid, mark: str = "") -> str:
    """An object id with an optional +/− mark in front, escaped."""
    return esc(f"{mark}{oid}")


def cell_width(ids) -> int:
    """Width of a strip cell that fits the longest id plus a +/− mark at 9 pt (Helvetica's
    digits and lower case letters are about 5 pt wide there), never below ``CELL``."""
    longest = max((len(str(i)) for i in ids), default=0)
    return max(CELL, 5 * (longest + 1) + 8)


def _table(rows, *, color=P.BLACK, bg=P.WHITE, border=1):
    return (f'<<TABLE BORDER="{border}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="2" '
            f'COLOR="{color}" BGCOLOR="{bg}">' + "".join(f"<TR>{r}</TR>" for r in rows) + "</TABLE>>")


def thread_header(name, th, *, count_name, words, touched, width):
    held = th is not None and th.holds_gil
    count = th.gil_count if th is not None else 0
    bg = P.TOUCHED if touched else P.LIGHT
    # The count's words ("ATTACH_COUNT = 1") are longer than the state's ("attached").
    gil = _td(esc(words[0] if held else words[1]), width=width * 2 // 5, bold=held,
              bg=P.GREEN if held else P.WHITE, color=P.ON_ACCENT if held else P.MUTED)
    return _table([
        _td(f"thread {esc(name)}", width=width, bold=True, bg=bg, colspan=2),
        gil + _td(f"{esc(count_name)} = {esc(count)}", width=width - width * 2 // 5),
    ])


def handle_table(names, handles, *, touched, width):
    """One row per reserved handle name; names out of scope keep an empty row."""
    head, hidden, tail = capped(names, HANDLE_CAP)
    rows = [_td("Rust handles", width=width, colspan=3, italic=True, color=P.MUTED)]
    for name in head + ([None] if hidden else []) + tail:
        if name is None:
            rows.append(_td(f"… {hidden} more …", width=width, colspan=3, color=P.MUTED))
            continue
        h = handles.get(name)
        port = safe_id("h", name)
        if h is None:
            rows.append(_td(width=width * 3 // 8, border=0) + _td(width=width * 4 // 8, border=0)
                        + _td(port=port, width=width // 8, border=0))
            continue
        bg = P.TOUCHED if name in touched else None
        gone = h.status != "live"
        color = P.MUTED if gone else None
        kind = kind_text(h.kind)
        if gone:
            kind = f"{kind} ({h.status})"
        elif h.borrows:
            kind = f"{kind} of {h.borrows}"
        rows.append(_td(esc(name), width=width * 3 // 8, bold=not gone, strike=gone, bg=bg, color=color)
                    + _td(esc(kind), width=width * 4 // 8, bg=bg, color=color, size=9)
                    + _td("●" if (h.obj and not gone) else "", port=port, width=width // 8, bg=bg))
    return _table(rows)


def pool_view(th, cap=POOL_CAP) -> tuple:
    """What a strip shows: (width, marks, head, hidden, tail, {index: oid}).

    ``width`` counts entries plus room for a pool that starts at the very end.
    Only the shown entries are read from the state.
    """
    n = owned_len(th) if th is not None else 0
    marks = list(th.pool_marks) if th is not None else []
    width = max(n, (max(marks) + 1) if marks else 0)
    head, hidden, tail = capped(list(range(width)), cap)
    visible = {}
    for run in (head, tail):
        idx = [i for i in run if i < n]
        if idx:
            visible.update(zip(idx, owned_part(th, idx[0], idx[-1] + 1)))
    return width, marks, head, hidden, tail, visible


def _ghost(oid, cell):
    """A cell for an entry this step took out of the pool for good: "−o1" on the highlight."""
    return _td(_short(oid, "−"), width=cell, size=9, bg=P.TOUCHED)


def _cells_row(items, prefix, touched, cap, total, cell=CELL, ghosts=()):
    """One strip row of oids (ports prefix0, prefix1, ...), capped, padded to ``total``.

    ``ghosts`` (entries that left this row in this step) go first, without ports, as far as
    the reserved room allows; the cells keep their size, so nothing moves.
    """
    head, hidden, tail = capped(list(range(len(items))), cap)
    cells = [_td(f"+{hidden}", width=cell, size=9, color=P.MUTED) if i is None else
             _td(_short(items[i]), port=f"{prefix}{i}", width=cell, size=_fit(items[i]),
                 bg=P.TOUCHED if items[i] in touched else P.LIGHT)
             for i in head + ([None] if hidden else []) + tail]
    room = max(total - len(cells), 0)
    cells = [_ghost(g, cell) for g in list(ghosts)[:room]] + cells
    return cells + [_td(width=cell)] * (total - len(cells))


def _strip_column(i, marks, width, hidden, visible, touched, added_from, ghosts, cap, cell):
    """(mark cell, entry cell) of one strip column: index ``i``, None for "+k more", "pad"."""
    if i is None:
        inner = [k for k, m in enumerate(marks, 1) if cap <= m < width - cap]
        return (_td("▼" + ",".join(map(str, inner)) if inner else "", width=cell, size=9, border=0),
                _td(f"+{hidden}", width=cell, color=P.MUTED, size=9))
    if i == "pad":
        return _td(width=cell, size=9, border=0), _td(width=cell)
    here = [k for k, m in enumerate(marks, 1) if m == i]
    mark = _td("▼" + ",".join(map(str, here)) if here else "", width=cell, size=9,
               color=P.MARK, bold=True, border=0)
    if i in visible:
        oid = visible[i]
        new = oid in touched and added_from is not None and i >= added_from
        return mark, _td(_short(oid, "+" if new else ""), port=f"p{i}", width=cell,
                         size=_fit(oid), bg=P.TOUCHED if oid in touched else P.LIGHT)
    if i in ghosts:
        return mark, _ghost(ghosts[i], cell)
    return mark, _td(width=cell)


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
    width, marks, head, hidden, tail, visible = pool_view(th, cap)
    cell = cell or cell_width(visible.values())
    shown = min(max(columns, width, 5), 2 * cap + 1)
    indices = head + ([None] if hidden else []) + tail
    indices += ["pad"] * (shown - len(indices))
    ctx = (marks, width, hidden, visible, touched, added_from, released[0], cap, cell)
    pairs = [_strip_column(i, *ctx) for i in indices]
    mark_row, entry_row = [m for m, _ in pairs], [e for _, e in pairs]
    title = _td("owned objects (▼n: pool n starts)", width=cell * len(indices),
                colspan=len(indices), italic=True, color=P.MUTED, size=9, border=0)
    rows = [title, "".join(mark_row), "".join(entry_row)]
    if releasing:
        rows.append(_td("being released by a pool drop", width=cell * len(indices),
                        colspan=len(indices), italic=True, color=P.MUTED, size=9, border=0))
        rows.append("".join(_cells_row(extra(th, "releasing") if th is not None else [], "r",
                                       touched, cap, len(indices), cell=cell, ghosts=released[1])))
    return _table(rows, border=0)


def transit_table(title, items, *, prefix, reserved, touched, cap=QUEUE_CAP, cell=CELL):
    """References in transit that still count: return values in flight, leaked ones."""
    n = min(max(reserved, len(items), 5), 2 * cap + 1)
    return _table([_td(esc(title), width=cell * n, colspan=n, italic=True, color=P.MUTED, size=9),
                   "".join(_cells_row(items, prefix, touched, cap, n, cell=cell))])


def _refcount_text(ob, before) -> str:
    """"refcount 2", or "refcount 1 → 2" when this step changed it (``before``: the count
    one step earlier, None when unknown or the object is new)."""
    if ob is None:
        return ""
    delta = f"{before} → " if before is not None and before != ob.refcount else ""
    if ob.alive:
        return f"refcount {delta}{ob.refcount}"
    return f"freed (refcount {delta}{ob.refcount})"


def heap_object(oid, ob, *, slots, touched, width=140, before=None):
    """Type and refcount; a freed object keeps its place, greyed; containers show slots."""
    alive = ob is None or ob.alive
    bg = P.TOUCHED if touched else (P.LIGHT if alive else P.FREED)
    color = None if alive else P.MUTED
    typ = ob.type if ob is not None else ""
    rc = _refcount_text(ob, before)
    rows = [_td(f"{esc(oid)} · {esc(typ)}", width=width, bold=True, bg=bg, color=color),
            _td(esc(rc), width=width, color=color, bg=None if alive else P.FREED)]
    if slots:
        items = list(ob.items) if ob is not None else []
        head, hidden, tail = capped(list(range(len(items))), SLOT_CAP)
        cells = [f"s{i}" for i in head] + ([None] if hidden else []) + [f"s{i}" for i in tail]
        cells += ["pad"] * (min(slots, 2 * SLOT_CAP + 1) - len(cells))
        w = width // max(len(cells), 1)
        row = "".join(_td(f"+{hidden}", width=w, size=9, color=P.MUTED) if c is None else
                      _td(width=w) if c == "pad" else
                      _td(_short(items[int(c[1:])]), port=c, width=w, size=9) for c in cells)
        rows.append(f'<TD COLSPAN="1" BORDER="0"><TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0">'
                    f'<TR>{row}</TR></TABLE></TD>')
    return _table(rows, color=P.BLACK if alive else P.GREY)


def queue_table(st, *, increfs, decrefs, show_increfs, touched, lazy=True, draining=(0, 0),
                cap=QUEUE_CAP, cell=CELL):
    """The process-global ReferencePool: queued increfs and decrefs in order.

    ``lazy`` says whether this release creates POOL on first use (0.22+); before
    that it is a plain static that always exists.
    """
    head_bg = P.TOUCHED if touched else P.LIGHT
    title = "ReferencePool POOL (global)"
    if lazy and not getattr(st, "reference_pool_initialised", True):
        title += ": not created yet"
    rows_spec = ([("pending increfs", st.pending_increfs, increfs, "i")] if show_increfs else []) + \
        [("pending decrefs", st.pending_decrefs, decrefs, "d")]
    # Entries update_counts has taken out of POOL and not yet applied, when ever seen.
    if draining[0]:
        rows_spec.append(("draining increfs", extra(st, "draining_increfs"), draining[0], "xi"))
    if draining[1]:
        rows_spec.append(("draining decrefs", extra(st, "draining_decrefs"), draining[1], "xd"))
    n = max(min(max(r[2], len(r[1]), 5), 2 * cap + 1) for r in rows_spec)
    rows = [_td(esc(title), width=90 + cell * n, colspan=n + 1, bold=True, bg=head_bg, size=9)]
    for label, queue, _, prefix in rows_spec:
        head, hidden, tail = capped(list(range(len(queue))), cap)
        cells = [_td(label, width=90, size=9)]
        for i in head + ([None] if hidden else []) + tail:
            cells.append(_td(f"+{hidden}", width=cell, size=9, color=P.MUTED) if i is None else
                         _td(_short(queue[i]), port=f"{prefix}{i}", width=cell, size=_fit(queue[i]),
                             bg=P.LIGHT))
        cells += [_td(width=cell)] * (n + 1 - len(cells))
        rows.append("".join(cells))
    return _table(rows)


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
    rows = []
    for key in P.LEGEND_ORDER:
        if key in wanted:
            color, style, _, text = P.EDGE[key]
            rows.append((P.STYLE_GLYPH[style], color, style, text))
    for key, text in P.MARK_TEXT.items():
        if key in marks:
            rows.append(("", None, key, text))
    return rows


@lru_cache(maxsize=64)
def legend(kinds: frozenset = frozenset(P.EDGE), marks: frozenset = frozenset(P.MARK_TEXT)):
    """The legend as a frame node, for exports that have no page around the picture."""
    rows = [_td("legend", width=240, colspan=2, italic=True, color=P.MUTED)]
    fills = {"touched": P.TOUCHED, "freed": P.FREED}
    for glyph, color, style, text in legend_rows(kinds, marks):
        sample = (_td(glyph, width=40, color=color, bold=True) if glyph else
                  _td("", width=40, bg=fills[style]) if style in fills else
                  _td(esc(P.MARK_SAMPLE.get(style, "")), width=40, size=9))
        rows.append(sample + _td(esc(text), width=200, align="LEFT", size=9))
    return _table(rows, color=P.GREY)
