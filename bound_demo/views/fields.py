"""Inside a ``#[pyclass]``: its fields as labelled edges, its borrow flag, whether the collector
tracks it, and what the last ``gc.collect()`` found and freed (issue 13).

This mirrors the trace fields of docs/reference/trace-format.md for pyclasses:
``ObjectState.class`` / ``fields`` / ``borrow`` / ``gc_tracked`` and ``State.last_gc``
(``found``, ``freed``, ``returned``), which stand for a pyclass's ``Option<Py<T>>`` fields, the
borrow checker of ``src/pycell/impl_.rs`` and the collector's view of ``tp_traverse`` /
``tp_clear`` (``src/pyclass/create_type_object.rs``, PyO3 0.20-0.30). It reads those fields and
never simulates: a state without them draws exactly what it drew before this module existed.

``frame.py`` calls three functions: ``frame_view`` once per frame (what every object of the
trace needs room for, and where the step stands in a collection), ``decorate`` on each heap
object's label, and ``draw_edges`` after the container slots. Room is reserved from the whole
trace, so a field row or a collector row that appears later never moves a node.

The collector's pass is the run of steps from its first event (``gc_found``, or a
``traverse_panic`` before it) to the ``gc_collect`` that ends it; the model fills ``last_gc``
only at that last step, so during the pass the found set is read from there, ahead. While the
pass runs the found objects are highlighted; the freed ones grey out as the clears free them;
afterwards their rows keep the verdict ("found, freed" / "found, kept") without the highlight.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from . import palette as P
from .labels import esc, safe_id

H = 20  # row height in points, the same as every other cell of a frame
_KEY = "bd_fields"  # where the reservation is kept on a Universe

# What the borrow flag row says for each state of the flag (a positive int: that many readers).
_FLAG_TEXT = {0: "borrow: free", "exclusive": "borrow: &amp;mut (exclusive)"}  # label text, escaped


@dataclass
class Reserved:
    """The rows a trace needs: declared fields per object, and whether collector rows are drawn."""

    fields: dict = field(default_factory=dict)
    classed: set = field(default_factory=set)  # objects created as a pyclass: they get a borrow row
    gc_rows: bool = False
    passes: dict = field(default_factory=dict)  # step index -> the gc_collect step ending its pass
    closing: dict = field(default_factory=dict)  # gc_collect step index -> the ids it found

    def rows_of(self, oid, ob) -> list:
        return self.fields.get(oid) or field_names(ob)


def _get(obj, name, default=None):
    """An optional attribute or key: states are objects, ``last_gc`` may be a plain dict.
    No object at all (None) has none of them, so it gives ``default`` too."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def class_of(ob):
    """The pyclass an object was created as (None for plain objects and containers)."""
    return _get(ob, "class")


def field_names(ob) -> list:
    return list(_get(ob, "fields") or {})


def last_gc(st):
    return _get(st, "last_gc")


def found_freed(st) -> tuple:
    """(found ids, freed ids) of the state's last collection, both empty before any."""
    gc = last_gc(st)  # None before any collection, which has neither
    return frozenset(_get(gc, "found") or ()), frozenset(_get(gc, "freed") or ())


def _scan(state) -> Reserved:
    objects = getattr(state, "objects", None) or {}
    fields = {oid: field_names(ob) for oid, ob in objects.items()}
    classed = {oid for oid, ob in objects.items() if class_of(ob)}
    return Reserved(fields, classed, bool(classed) or last_gc(state) is not None)


def reserve(uni, trace, st) -> Reserved:
    """What a frame reserves, from the trace's final state (it lists every object ever created,
    freed ones included, and keeps the last collection), cached on the trace's universe."""
    cached = uni._seen.get(_KEY)
    if cached is not None:
        return cached
    final = _final_state(trace, st)
    out = _scan(final)
    if final is not st:
        _widen(out, _scan(st))
    out.passes = _passes(trace)
    uni._seen[_KEY] = out
    return out


def _final_state(trace, st):
    """The trace's last state; ``st`` itself without a trace (or steps) to read."""
    return trace.steps[-1].state if trace is not None and len(trace.steps) else st


_PASS_START = {"gc_found", "traverse_panic"}


def _passes(trace) -> dict:
    """step index -> the gc_collect step that ends the collection the step belongs to (none
    for a frame drawn without its trace)."""
    out, start = {}, None
    for i, step in enumerate(getattr(trace, "steps", ())):
        event = getattr(step, "event", None)
        if event in _PASS_START and start is None:
            start = i
        if event == "gc_collect":
            out.update(dict.fromkeys(range(i if start is None else start, i + 1), i))
            start = None
    return out


class FrameView(NamedTuple):
    """One frame's reading: the reservation, the found and freed ids to show, and whether the
    collector's pass is running at this step (only then are the found objects highlighted)."""
    res: Reserved
    found: frozenset
    freed: frozenset
    in_pass: bool


def frame_view(uni, trace, step, st) -> FrameView:
    res = reserve(uni, trace, st)
    close = res.passes.get(getattr(step, "index", None))
    if close is None:
        return FrameView(res, *found_freed(st), False)
    if close not in res.closing:
        res.closing[close] = found_freed(trace.steps[close].state)[0]
    return FrameView(res, res.closing[close], frozenset(), True)


def _widen(out: Reserved, more: Reserved) -> None:
    for oid, names in more.fields.items():
        out.fields.setdefault(oid, names)
    out.classed |= more.classed
    out.gc_rows = out.gc_rows or more.gc_rows


def _attrs(**attrs) -> str:
    """HTML-label attributes, leaving out the ones not given."""
    return "".join(f' {k.upper()}="{v}"' for k, v in attrs.items() if v)


# The borrows of a pyclass as arrow kinds: the mutable ones look like the shared ones, since
# what the arrow says is whether the handle owns a reference, not which borrow it holds.
_BORROW_KEYS = {"pyref": "pyref", "pyrefmut": "pyref", "guard": "guard", "guard_mut": "guard"}


def handle_key(h):
    """The arrow kind of a borrow handle (None for every other kind): a 0.20 PyRef owns nothing."""
    key = _BORROW_KEYS.get(h.kind)
    return "pyref_borrow" if key == "pyref" and not h.owns else key


def _cell(text, *, port=None, bg=None, color=None) -> str:
    """A left-aligned 9 pt row as wide as the heap object's own rows (never empty: a row
    always says something, "None" or "borrow: free" at least, or is an empty reserved cell)."""
    cell = f'<TD HEIGHT="{H}" FIXEDSIZE="TRUE" WIDTH="140" ALIGN="LEFT"{_attrs(port=port, bgcolor=bg)}>'
    return f'{cell}<FONT POINT-SIZE="9"{_attrs(color=color)}>{text}</FONT></TD>' if text else cell + "</TD>"


def _values(ob) -> dict:
    """field -> object id or None; empty for an object not created yet."""
    return _get(ob, "fields") or {}


def _is_freed(ob) -> bool:
    """Whether the object exists and has been freed (an object not created yet is not)."""
    return ob is not None and not ob.alive


def _ground(ob):
    """The background of this module's rows: greyed like the rest of a freed object."""
    return P.FREED if _is_freed(ob) else None


def _field_row(i, name, ob) -> str:
    value = _values(ob).get(name)
    if value is None:
        return _cell(f"{esc(name)} = None", port=f"f{i}", color=P.MUTED, bg=_ground(ob))
    return _cell(f"{esc(name)} = {esc(value)}", port=f"f{i}", bg=_ground(ob))


def _flag_text(flag) -> str:
    if isinstance(flag, int) and flag > 0:
        return f"borrow: &amp; ×{flag} (shared)"
    return _FLAG_TEXT.get(flag, "")


def _borrow_row(ob, seen) -> str:
    """The class's name and its borrow flag (the heap row above names the Python type)."""
    flag = _get(ob, "borrow", 0) or 0
    text = f"{esc(class_of(ob) or '')} · {_flag_text(flag)}".lstrip(" ·")
    if not flag:
        return _cell(text, color=P.MUTED, bg=_ground(ob))
    seen.marks.add("borrow")
    return _cell(text, color=P.MARK)


_TRACKED = {True: "GC-tracked", False: "not GC-tracked"}


def _tracked(ob):
    """True, False, or None when the state does not say (plain objects, older traces)."""
    return _get(ob, "gc_tracked")


# What the collector row says of a found object: (during the pass, freed) -> the words. During
# the pass a found object is "found" until a clear frees it; afterwards the row keeps the result.
_VERDICT = {(True, True): "found, freed", (True, False): "found",
            (False, True): "found, freed", (False, False): "found, kept"}


def _verdict(oid, ob, view: FrameView):
    """The collection's verdict on ``oid`` (None when it did not find it)."""
    if oid not in view.found:
        return None
    freed = _is_freed(ob) if view.in_pass else oid in view.freed
    return _VERDICT[(view.in_pass, freed)]


def _gc_words(oid, ob, view: FrameView) -> str:
    """What the collector row says: tracking, then the collection's verdict, if any."""
    return " · ".join(w for w in (_TRACKED.get(_tracked(ob)), _verdict(oid, ob, view)) if w)


def _gc_row(oid, ob, view: FrameView, seen) -> str:
    text = esc(_gc_words(oid, ob, view))
    if _tracked(ob):
        seen.marks.add("gc_tracked")
    if not (view.in_pass and oid in view.found):
        return _cell(text, color=P.MUTED, bg=_ground(ob))
    seen.marks.add("gc_found")
    return _cell(text, bg=P.SKY, color=P.ON_ACCENT)


def _rows(oid, ob, view: FrameView, seen) -> list:
    res = view.res
    rows = [_field_row(i, name, ob) for i, name in enumerate(res.rows_of(oid, ob))]
    if oid in res.classed or class_of(ob) is not None:
        rows.append(_borrow_row(ob, seen))
    if res.gc_rows:
        rows.append(_gc_row(oid, ob, view, seen))
    return rows


def decorate(label: str, oid, ob, view: FrameView, seen) -> str:
    """``label`` (a heap object's table) with this module's rows added under its own."""
    rows = _rows(oid, ob, view, seen)
    if not rows:
        return label
    end = "</TABLE>>"
    return label[: -len(end)] + "".join(f"<TR>{r}</TR>" for r in rows) + end


def _field_edges(oid, ob, target):
    """(tail port, head port, field name) per field of ``oid`` that holds a shown object."""
    for i, (name, value) in enumerate(_values(ob).items()):
        head = value is not None and target(value, "e")
        if head:
            yield f"{safe_id('o', oid)}:f{i}:e", head, name


def draw_edges(edges) -> None:
    """One labelled arrow per filled field, drawn like the other references of a frame.

    ``edges`` is frame's ``_Edges``: its state, shown objects and ``target``. The field name
    is an ``xlabel``, which Graphviz places after layout, so labels never move a node."""
    shown = [oid for oid in edges.uni.objects if oid in edges.shown]
    for oid in shown:
        for tail, head, name in _field_edges(oid, edges.st.objects.get(oid), edges.target):
            edges.seen.kinds.add("field")
            _edge(edges.g, tail, head, name)


def _edge(g, tail, head, name) -> None:
    color, style, width, _ = P.EDGE["field"]
    g.edge(tail, head, color=color, style=style, penwidth=str(width), constraint="false",
           weight="0", xlabel=f"<{esc(name)}>", fontname=P.FONT, fontsize="9", fontcolor=P.MUTED)
