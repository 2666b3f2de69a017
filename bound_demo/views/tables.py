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
    """A font size that fits an object id into one fixed-width strip cell."""
    n = len(str(oid))
    return 9 if n <= 4 else 7 if n <= 6 else 6


def _table(rows, *, color=P.BLACK, bg=P.WHITE, border=1):
    return (f'<<TABLE BORDER="{border}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="2" '
            f'COLOR="{color}" BGCOLOR="{bg}">' + "".join(f"<TR>{r}</TR>" for r in rows) + "</TABLE>>")


def thread_header(name, th, *, count_name, words, touched, width):
    held = th is not None and th.holds_gil
    count = th.gil_count if th is not None else 0
    bg = P.TOUCHED if touched else P.LIGHT
    gil = _td(esc(words[0] if held else words[1]), width=width // 2, bold=held,
              bg=P.GREEN if held else P.WHITE, color=P.WHITE if held else P.GREY)
    return _table([
        _td(f"thread {esc(name)}", width=width, bold=True, bg=bg, colspan=2),
        gil + _td(f"{esc(count_name)} = {esc(count)}", width=width - width // 2),
    ])


def handle_table(names, handles, *, touched, width):
    """One row per reserved handle name; names out of scope keep an empty row."""
    head, hidden, tail = capped(names, HANDLE_CAP)
    rows = [_td("Rust handles", width=width, colspan=3, italic=True, color=P.GREY)]
    for name in head + ([None] if hidden else []) + tail:
        if name is None:
            rows.append(_td(f"… {hidden} more …", width=width, colspan=3, color=P.GREY))
            continue
        h = handles.get(name)
        port = safe_id("h", name)
        if h is None:
            rows.append(_td(width=width * 3 // 8, border=0) + _td(width=width * 4 // 8, border=0)
                        + _td(port=port, width=width // 8, border=0))
            continue
        bg = P.TOUCHED if name in touched else None
        gone = h.status != "live"
        color = P.GREY if gone else None
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


def _cells_row(items, prefix, touched, cap, total):
    """One strip row of oids (ports prefix0, prefix1, ...), capped, padded to ``total``."""
    head, hidden, tail = capped(list(range(len(items))), cap)
    cells = [_td(f"+{hidden}", width=CELL, size=8, color=P.GREY) if i is None else
             _td(esc(items[i]), port=f"{prefix}{i}", width=CELL, size=_fit(items[i]),
                 bg=P.TOUCHED if items[i] in touched else P.LIGHT)
             for i in head + ([None] if hidden else []) + tail]
    return cells + [_td(width=CELL)] * (total - len(cells))


def pool_strip(th, *, columns, touched, note=None, cap=POOL_CAP, releasing=0):
    """The thread's OWNED_OBJECTS as cells, with ▼n where live GILPool n starts.

    ``releasing`` reserves a row for entries a dropping pool has split off and
    not yet decref'd (they still hold their reference).
    """
    if note:
        return _table([_td(esc(note), width=200, italic=True, color=P.GREY, size=9)],
                      color=P.GREY)
    width, marks, head, hidden, tail, visible = pool_view(th, cap)
    shown = min(max(columns, width, 5), 2 * cap + 1)
    indices = head + ([None] if hidden else []) + tail
    indices += ["pad"] * (shown - len(indices))
    mark_row, entry_row = [], []
    for i in indices:
        if i is None:
            inner = [k for k, m in enumerate(marks, 1) if cap <= m < width - cap]
            mark_row.append(_td("▼" + ",".join(map(str, inner)) if inner else "", width=CELL, size=8,
                                border=0))
            entry_row.append(_td(f"+{hidden}", width=CELL, color=P.GREY, size=9))
            continue
        if i == "pad":
            mark_row.append(_td(width=CELL, size=8, border=0))
            entry_row.append(_td(width=CELL))
            continue
        here = [k for k, m in enumerate(marks, 1) if m == i]
        mark_row.append(_td("▼" + ",".join(map(str, here)) if here else "", width=CELL, size=8,
                            color=P.ORANGE, bold=True, border=0))
        if i in visible:
            oid = visible[i]
            entry_row.append(_td(esc(oid), port=f"p{i}", width=CELL, size=_fit(oid),
                                 bg=P.TOUCHED if oid in touched else P.LIGHT))
        else:
            entry_row.append(_td(width=CELL))
    title = _td("owned objects (▼n: pool n starts)", width=CELL * len(indices),
                colspan=len(indices), italic=True, color=P.GREY, size=8, border=0)
    rows = [title, "".join(mark_row), "".join(entry_row)]
    if releasing:
        rows.append(_td("being released by a pool drop", width=CELL * len(indices),
                        colspan=len(indices), italic=True, color=P.GREY, size=8, border=0))
        rows.append("".join(_cells_row(extra(th, "releasing") if th is not None else [], "r",
                                       touched, cap, len(indices))))
    return _table(rows, border=0)


def transit_table(title, items, *, prefix, reserved, touched, cap=QUEUE_CAP):
    """References in transit that still count: return values in flight, leaked ones."""
    n = min(max(reserved, len(items), 5), 2 * cap + 1)
    return _table([_td(esc(title), width=CELL * n, colspan=n, italic=True, color=P.GREY, size=9),
                   "".join(_cells_row(items, prefix, touched, cap, n))])


def heap_object(oid, ob, *, slots, touched, width=120):
    """Type and refcount; a freed object keeps its place, greyed; containers show slots."""
    alive = ob is None or ob.alive
    bg = P.TOUCHED if touched else (P.LIGHT if alive else P.FREED)
    color = None if alive else P.GREY
    typ = ob.type if ob is not None else ""
    rc = "" if ob is None else (f"refcount {ob.refcount}" if alive else f"freed (refcount {ob.refcount})")
    rows = [_td(f"{esc(oid)} · {esc(typ)}", width=width, bold=True, bg=bg, color=color),
            _td(esc(rc), width=width, color=color, bg=None if alive else P.FREED)]
    if slots:
        items = list(ob.items) if ob is not None else []
        head, hidden, tail = capped(list(range(len(items))), SLOT_CAP)
        cells = [f"s{i}" for i in head] + ([None] if hidden else []) + [f"s{i}" for i in tail]
        cells += ["pad"] * (min(slots, 2 * SLOT_CAP + 1) - len(cells))
        w = width // max(len(cells), 1)
        row = "".join(_td(f"+{hidden}", width=w, size=8, color=P.GREY) if c is None else
                      _td(width=w) if c == "pad" else
                      _td(esc(items[int(c[1:])]), port=c, width=w, size=8) for c in cells)
        rows.append(f'<TD COLSPAN="1" BORDER="0"><TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0">'
                    f'<TR>{row}</TR></TABLE></TD>')
    return _table(rows, color=P.BLACK if alive else P.GREY)


def queue_table(st, *, increfs, decrefs, show_increfs, touched, lazy=True, draining=(0, 0),
                cap=QUEUE_CAP):
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
    rows = [_td(esc(title), width=90 + CELL * n, colspan=n + 1, bold=True, bg=head_bg, size=9)]
    for label, queue, _, prefix in rows_spec:
        head, hidden, tail = capped(list(range(len(queue))), cap)
        cells = [_td(label, width=90, size=9)]
        for i in head + ([None] if hidden else []) + tail:
            cells.append(_td(f"+{hidden}", width=CELL, size=8, color=P.GREY) if i is None else
                         _td(esc(queue[i]), port=f"{prefix}{i}", width=CELL, size=_fit(queue[i]),
                             bg=P.LIGHT))
        cells += [_td(width=CELL)] * (n + 1 - len(cells))
        rows.append("".join(cells))
    return _table(rows)


def py_var_table(names, py_vars, *, width=110):
    rows = [_td("Python variables", width=width, colspan=2, italic=True, color=P.GREY)]
    for name in names:
        here = name in py_vars
        rows.append(_td(esc(name) if here else "", width=width - 20, bold=True)
                    + _td("●" if here else "", port=safe_id("v", name), width=20))
    return _table(rows)


@lru_cache(maxsize=1)
def legend():
    rows = [_td("legend", width=240, colspan=2, italic=True, color=P.GREY)]
    for key in P.LEGEND_ORDER:
        color, style, _, text = P.EDGE[key]
        rows.append(_td(P.STYLE_GLYPH[style], width=40, color=color, bold=True)
                    + _td(esc(text), width=200, align="LEFT", size=9))
    rows.append(_td("", width=40, bg=P.TOUCHED) + _td("changed by this step", width=200, align="LEFT", size=9))
    rows.append(_td("", width=40, bg=P.FREED) + _td("freed object (kept in place)", width=200, align="LEFT", size=9))
    return _table(rows, color=P.GREY)
