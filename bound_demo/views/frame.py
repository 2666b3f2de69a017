"""``draw_step``: one step of a trace as a Graphviz diagram.

Left column: one cluster per thread (GIL state and count, Rust handles, the
owned-object pool). Right column: the Python heap in creation order, stacked with the
global reference pool queue and Python-side variables (plus a legend, for exports only:
players show one HTML legend outside their frames). Two columns keep a frame about
500 pt wide, so it fits a page's content column at full size. The function reads only the
step it is given, optionally the state before it (for deltas) and the trace (to
reserve room for what will exist later); it never simulates anything.
"""
from __future__ import annotations

from typing import NamedTuple

import graphviz

from . import fields
from . import palette as P
from . import tables
from .access import extra
from .dotsrc import DotWriter
from .labels import count_name, esc, gil_words, profile_of, safe_id
from .access import owned_len, owned_part
from .layout import (HANDLE_CAP, OBJECT_CAP, POOL_CAP, QUEUE_CAP, SLOT_CAP, Universe, capped,
                     of_state, of_trace, shown_part, thread_of)

GRAPH_ATTR = {
    "rankdir": "LR", "newrank": "true", "nodesep": "0.12", "ranksep": "0.3",
    "fontname": P.FONT, "bgcolor": P.WHITE, "pad": "0.1", "splines": "true",
    "outputorder": "edgesfirst",
}


SPACER_IN = "0.55"  # inches under the last thread (see _threads)


class Touched(NamedTuple):
    """What a step touched, as sets: thread names, handle names, object ids, and whether the
    pending queues changed; ``any(touched)`` says whether the step touched anything."""
    threads: set
    handles: set
    objects: set
    pending: bool


def _touched(record) -> Touched:
    """The step's ``touched`` record as sets; a step without one touched nothing."""
    record = record or {}
    return Touched(*(set(record.get(key) or []) for key in ("threads", "handles", "objects")),
                   bool(record.get("pending")))


class Seen:
    """What a frame drew that a legend may need to explain: edge kinds and marks.

    ``draw_step`` fills one and leaves it on the returned graph as ``bd_seen``; a player
    unions them over its frames so its one legend lists only what occurs.
    """

    def __init__(self):
        self.kinds: set = set()
        self.marks: set = set()


def draw_step(step, *, trace=None, caption: bool = False, state=None, before=None,
              legend=None) -> graphviz.Digraph:
    """Draw ``step.state``; with ``trace``, keep room for everything the trace ever shows.

    ``state`` is the step's state when the caller already has it (``step.state`` otherwise);
    ``before`` the previous step's state, which turns changed refcounts into ``1 → 2`` and
    marks pool entries this step added. ``legend`` (a ``Seen``) puts a legend of those kinds
    and marks into the frame itself, for exports that have no page around them; players show
    one HTML legend outside their frames instead.
    """
    st = state if state is not None else step.state
    uni = of_trace(trace) if trace is not None else of_state(st)
    touched = _touched(getattr(step, "touched", None))
    seen = Seen()
    g = DotWriter("bound_demo", graph_attr=dict(GRAPH_ATTR),
                  node_attr={"shape": "plain", "fontname": P.FONT},
                  edge_attr={"arrowsize": "0.6"})
    if caption:
        _caption(g, step, trace)
    _threads(g, st, uni, trace, touched, before, seen)
    shown, hidden, heap_names = _heap(g, st, uni, touched, before, seen,
                                      fields.frame_view(uni, trace, step, st))
    column = _right_column(g, st, uni, trace, touched, legend)
    _stack(g, heap_names + column)
    _edges(g, st, uni, shown, hidden, seen)
    graph = g.digraph()
    graph.bd_seen = seen
    return graph


def _caption(g, step, trace) -> None:
    """The step's caption above the frame: "step 3/7: …" (without the count when there is no
    trace to count)."""
    total = f"/{len(trace.steps)}" if trace is not None else ""
    g.attr(label=f"<<B>step {step.index + 1}{total}</B>: {esc(step.caption)}>",
           labelloc="t", labeljust="l", fontsize="12")


def _no_pool_note(trace) -> str | None:
    """Releases without OWNED_OBJECTS say so instead of drawing an empty strip (a frame
    drawn without its trace has no profile, and so no note)."""
    prof = profile_of(trace)
    if prof is not None and not prof.owned_pool:
        return f"no owned-object pool in PyO3 {trace.pyo3}"
    return None


def strip_cell(uni: Universe) -> int:
    """One strip-cell width for every frame of a trace (from every object it ever shows),
    computed once per universe, so a long id never moves a node between frames."""
    cell = uni._seen.get("cell")
    if cell is None:
        cell = uni._seen["cell"] = tables.cell_width(uni.objects)
    return cell


def _pool_before(before, tname):
    """The pool's length one step earlier, or None when there is no earlier state."""
    if before is None:
        return None
    th = before.threads.get(tname)
    return owned_len(th) if th is not None else 0


GHOST_SCAN = 64  # pools up to this long are compared with the step before for released entries


def _released(before, tname, th, o_touched: set) -> tuple:
    """Entries this step took out of a thread's pool for good: touched objects that were in
    its pool or its releasing row one step earlier and are in neither now. Returns
    ({pool index: oid}, [oids of the releasing row]); long pools are not scanned."""
    was = before.threads.get(tname) if before is not None and o_touched and th is not None else None
    if was is None:
        return {}, []
    pool_was, pool_now = _scanned(was, th)
    left = o_touched - set(extra(th, "releasing")) - set(pool_now)
    return ({i: o for i, o in enumerate(pool_was) if o in left},
            [o for o in extra(was, "releasing") if o in left])


def _scanned(was, th) -> tuple:
    """(the earlier pool's entries, the current pool's first GHOST_SCAN + 1) to compare for
    released entries, or nothing to compare when the earlier pool is longer than GHOST_SCAN."""
    n = owned_len(was)
    if n > GHOST_SCAN:
        return (), ()
    return owned_part(was, 0, n), owned_part(th, 0, min(owned_len(th), GHOST_SCAN + 1))


def _note(seen, shown: dict) -> None:
    """Note the marks of ``shown`` ({mark: whether the frame shows it}) that the frame shows."""
    seen.marks.update(mark for mark, here in shown.items() if here)


def _note_pool_marks(seen, th, o_touched, added_from, released) -> None:
    """Note the pool marks a thread's strip shows: ▼n, entries added ("+") or released ("−")."""
    if th is None:
        return
    added = bool(o_touched) and added_from is not None and owned_len(th) > added_from
    _note(seen, {"pool_mark": bool(th.pool_marks), "added": added, "released": any(released)})


def _handles_by_thread(st, uni: Universe) -> dict:
    """{thread: {handle name: handle}}; a handle that names no thread belongs to the first."""
    by_thread = {}
    for name, h in st.handles.items():
        by_thread.setdefault(thread_of(h, uni.threads[0]), {})[name] = h
    return by_thread


def _threads(g, st, uni: Universe, trace, touched: Touched, before, seen) -> list:
    if any(touched):
        seen.marks.add("touched")
    draw = _ThreadCluster(g, st, uni, trace, touched, before, seen)
    spine = []
    for tname in uni.threads:
        spine += draw(tname)
    spine.append("spine_end")
    _stack(g, spine)
    # Flat edges between clusters do not order the clusters themselves; the heap's
    # anchor, which keeps its in-edges in order (ordering=in), does. Reversed for LR.
    for tname in reversed(uni.threads):
        g.edge(f"{safe_id('t', tname)}_hdr", "heap_anchor", style="invis")
    return spine


class _ThreadCluster:
    """Draws one thread's cluster (header, handles, pool strip) and gives its node names."""

    def __init__(self, g, st, uni: Universe, trace, touched: Touched, before, seen):
        self.g, self.st, self.uni, self.trace, self.touched, self.before, self.seen = (
            g, st, uni, trace, touched, before, seen)
        self.note = _no_pool_note(trace)
        self.handles = _handles_by_thread(st, uni)

    def _pool_strip(self, tname, th) -> str:
        added_from = _pool_before(self.before, tname)
        released = ({}, [])
        if self.note is None:
            released = _released(self.before, tname, th, self.touched.objects)
            _note_pool_marks(self.seen, th, self.touched.objects, added_from, released)
        return tables.pool_strip(
            th, columns=self.uni.pool_cols.get(tname, 0), touched=self.touched.objects, note=self.note,
            releasing=self.uni.releasing.get(tname, 0), added_from=added_from,
            cell=strip_cell(self.uni), released=released)

    def __call__(self, tname) -> list:
        th, tid, uni = self.st.threads.get(tname), safe_id("t", tname), self.uni
        with self.g.subgraph(name=f"cluster_{tid}") as c:
            c.attr(label="", style="rounded", color=P.GREY if th is None else P.BLACK, penwidth="1")
            c.node(f"{tid}_hdr", tables.thread_header(
                tname, th, count_name=count_name(self.trace), words=gil_words(self.trace),
                touched=tname in self.touched.threads, width=190))
            c.node(f"{tid}_h", tables.handle_table(
                uni.handles.get(tname, []), self.handles.get(tname, {}),
                touched=self.touched.handles, width=190))
            c.node(f"{tid}_pool", self._pool_strip(tname, th))
            if tname == uni.threads[-1]:
                # Arrows from the bottom pool strip dip below it; an invisible spacer under
                # the last strip keeps those dips inside the drawing, so the canvas never
                # grows between frames.
                c.node("spine_end", "", shape="box", style="invis", width="0.1", height=SPACER_IN)
        return [f"{tid}_hdr", f"{tid}_h", f"{tid}_pool"]


def _refcount_before(before, oid):
    if before is None:
        return None
    ob = before.objects.get(oid)
    return ob.refcount if ob is not None else None


def _heap(g, st, uni: Universe, touched: Touched, before, seen, view):
    """Objects in creation order; those not yet created are invisible but take their room."""
    head, hidden, tail = capped(uni.objects, OBJECT_CAP // 2)
    names = ["heap_anchor"]
    with g.subgraph(name="cluster_heap") as c:
        c.attr(label="<<I>Python heap</I>>", fontsize="10", style="rounded", color=P.GREY)
        c.node("heap_anchor", "", shape="point", style="invis", width="0.01", ordering="in")
        for oid in head:
            names.append(_heap_node(c, oid, st, uni, touched, before, seen, view))
        if hidden:
            c.node("o_more", f"<<I>… {hidden} more objects …</I>>", shape="box", color=P.GREY)
            names.append("o_more")
        for oid in tail:
            names.append(_heap_node(c, oid, st, uni, touched, before, seen, view))
    return set(head) | set(tail), bool(hidden), names


def _heap_node(c, oid, st, uni: Universe, touched: Touched, before, seen, view) -> str:
    """One object's node (invisible until the object exists); notes the marks it shows."""
    ob = st.objects.get(oid)
    was = _refcount_before(before, oid) if oid in touched.objects else None
    if ob is not None:
        _note(seen, {"delta": was not in (None, ob.refcount), "freed": not ob.alive})
    label = tables.heap_object(oid, ob, slots=uni.slots.get(oid, 0), touched=oid in touched.objects,
                               before=was)
    label = fields.decorate(label, oid, ob, view, seen)
    nid = safe_id("o", oid)
    c.node(nid, label, **({"style": "invis"} if ob is None else {}))
    return nid


def _queue_label(st, uni: Universe, trace, touched: Touched) -> str:
    """The global reference pool's table; what the release does decides whether it shows
    increfs and whether POOL is created on first use (a bare state is taken to do both)."""
    prof = profile_of(trace)
    show_increfs = uni.ever_increfs or (prof is not None and prof.deferred_increfs)
    return tables.queue_table(
        st, increfs=uni.increfs, decrefs=uni.decrefs, cell=strip_cell(uni), show_increfs=show_increfs,
        touched=touched.pending, lazy=prof is None or prof.lazy_reference_pool,
        draining=(uni.draining_increfs, uni.draining_decrefs))


def _right_column(g, st, uni: Universe, trace, touched: Touched, legend=None):
    cell = strip_cell(uni)
    # (node, whether the frame has it, its label), top to bottom; labels are drawn only when shown.
    parts = (
        ("queue", True, lambda: _queue_label(st, uni, trace, touched)),
        ("pyvars", bool(uni.py_vars), lambda: tables.py_var_table(uni.py_vars, st.py_vars)),
        ("flight", bool(uni.in_flight), lambda: tables.transit_table(
            "return values in flight", extra(st, "in_flight"), prefix="f",
            reserved=uni.in_flight, touched=touched.objects, cell=cell)),
        ("leaked", bool(uni.leaked), lambda: tables.transit_table(
            "leaked references", extra(st, "leaked"), prefix="l",
            reserved=uni.leaked, touched=touched.objects, cell=cell)),
        ("legend", legend is not None, lambda: tables.legend(frozenset(legend.kinds),
                                                              frozenset(legend.marks))),
    )
    drawn = {name: label for name, wanted, label in parts if wanted}
    # A borderless cluster: dot orders flat chains inside clusters the same way
    # everywhere, so this column stacks like the others.
    with g.subgraph(name="cluster_right") as c:
        c.attr(label="", peripheries="0")
        for name, label in drawn.items():
            c.node(name, label())
    return list(drawn)


def _stack(g, names):
    """Stack nodes as one column, top to bottom. A frame has two: the threads, and the heap
    with the reference pool and the Python side under it, so it fits a page's content column."""
    with g.subgraph() as s:
        s.attr(rank="same")
        for n in names:
            s.node(n)
    _chain(g, names)


def _chain(g, names):
    """Stack same-rank nodes top to bottom in list order.

    With rankdir=LR, dot places the head of a flat edge above its tail, so the
    invisible chain runs from the last name back to the first.
    """
    for a, b in zip(names, names[1:]):
        g.edge(b, a, style="invis")


class _Edges:
    """Draws a frame's references; one method per holder, all aiming at ``target``."""

    def __init__(self, g, st, uni: Universe, shown: set, hidden: bool, seen: Seen):
        self.g, self.st, self.uni, self.shown, self.hidden, self.seen = g, st, uni, shown, hidden, seen

    def target(self, oid, side):
        """The port an arrow to ``oid`` ends at: its node, the "… more" box, or nowhere."""
        if oid in self.shown:
            return f"{safe_id('o', oid)}:{side}"
        return "o_more" if self.hidden else None

    def edge(self, tail, oid, side, key):
        head = self.target(oid, side)
        if head:
            self.seen.kinds.add(key)
            _edge(self.g, tail, head, key)

    def capped(self, items, cap, tail_port, oid_side, key):
        """Arrows from the shown cells of a capped row (ports ``tail_port(i)``)."""
        for i in shown_part(list(range(len(items))), cap):
            self.edge(tail_port(i), items[i], oid_side, key)

    def pools(self) -> dict:
        owned_by = {}
        for tname in self.uni.threads:
            th = self.st.threads.get(tname)
            if th is None:
                continue
            tid = safe_id("t", tname)
            for i, oid in tables.pool_view(th).visible.items():
                self.edge(f"{tid}_pool:p{i}", oid, "w", "pool")
            self.capped(extra(th, "releasing"), POOL_CAP, lambda i, t=tid: f"{t}_pool:r{i}", "w", "pool")
            owned_by[tname] = th
        return owned_by

    def handles(self, owned_by: dict) -> None:
        rows = _handle_rows(self.uni)
        for name, h in self.st.handles.items():
            thread = thread_of(h, self.uni.threads[0])
            if h.status == "live" and h.obj is not None and (thread, name) in rows:
                self.edge(f"{safe_id('t', thread)}_h:{safe_id('h', name)}:e", h.obj, "w",
                          _handle_key(h, owned_by.get(thread)))

    def slots(self) -> None:
        for oid in self.uni.objects:
            ob = self.st.objects.get(oid)
            if ob is None or oid not in self.shown or not ob.items:
                continue
            self.capped(list(ob.items), SLOT_CAP, lambda i, o=oid: f"{safe_id('o', o)}:s{i}", "e", "slot")

    def rows(self, rows) -> None:
        """Arrows from the cells of rows of references in transit (see ``_QUEUE_ROWS``)."""
        for node, prefix, key, attr in rows:
            self.capped(extra(self.st, attr), QUEUE_CAP, lambda i, n=node, p=prefix: f"{n}:{p}{i}:w",
                        "e", key)

    def py_vars(self) -> None:
        for name, oid in self.st.py_vars.items():
            self.edge(f"pyvars:{safe_id('v', name)}:w", oid, "e", "py_var")


# Rows of references in transit as (node, port prefix, arrow kind, state attribute): the
# reference pool's queues, then the Python side's values in flight and leaked references.
_QUEUE_ROWS = (("queue", "i", "incref", "pending_increfs"),
               ("queue", "d", "decref", "pending_decrefs"),
               ("queue", "xi", "incref", "draining_increfs"),
               ("queue", "xd", "decref", "draining_decrefs"))
_PYTHON_ROWS = (("flight", "f", "in_flight", "in_flight"), ("leaked", "l", "leaked", "leaked"))


def _handle_rows(uni: Universe) -> set:
    """(thread, handle name) of every handle row the frame shows, capped per thread."""
    return {(tname, name) for tname, names in uni.handles.items()
            for name in shown_part(names, HANDLE_CAP)}


def _handle_key(h, pool_thread) -> str:
    """The arrow kind of a live handle (a kind without an arrow of its own is drawn as a Bound)."""
    if _borrowing_gil_ref(h, pool_thread):
        return "gil_ref_borrow"
    return fields.handle_key(h) or (h.kind if h.kind in P.EDGE else "bound")


def _borrowing_gil_ref(h, pool_thread) -> bool:
    """A GIL ref that neither owns its reference nor is backed by its thread's pool only borrows."""
    return h.kind == "gil_ref" and not (h.owns or _in_pool(pool_thread, h.obj))


def _edge(g, tail, head, key):
    color, style, width, _ = P.EDGE[key]
    # constraint=false and weight=0: references never move nodes; only the invisible
    # ordering edges above decide where things sit.
    g.edge(tail, head, color=color, style=style, penwidth=str(width),
           constraint="false", weight="0")


def _edges(g, st, uni: Universe, shown: set, hidden: bool, seen: Seen | None = None):
    """Every reference in the state as an arrow, in a fixed order (pools, handles, slots,
    queues, Python side) so the DOT source, and with it the layout, stays stable."""
    e = _Edges(g, st, uni, shown, hidden, seen if seen is not None else Seen())
    owned_by = e.pools()
    e.handles(owned_by)
    e.slots()
    fields.draw_edges(e)
    e.rows(_QUEUE_ROWS)
    e.py_vars()
    e.rows(_PYTHON_ROWS)


def _in_pool(th, oid) -> bool:
    """Whether a GIL ref's object is registered in its thread's pool (read only when asked)."""
    return th is not None and oid in set(th.owned)


def draw_trace(trace, *, caption: bool = False, legend: bool = False) -> list:
    """Every frame of a trace, each with the state before it (refcount deltas, pool marks).

    ``legend=True`` puts into each frame a legend of what the whole trace draws, for files
    that have no page around them (SVG and GIF exports). Each graph keeps its state as
    ``bd_state`` for a text alternative.
    """
    return list(iter_trace(trace, caption=caption, legend=legend))


def iter_trace(trace, *, caption: bool = False, legend: bool = False):
    """`draw_trace` one frame at a time, so that exports hold one frame, not the trace's all.
    The states come from forward replays (one more for the legend, which must know the
    whole trace before the first frame is drawn, unless ``legend`` is that ``Seen``)."""
    from .access import states
    seen = _legend_seen(trace, legend)
    before = None
    for _, step, st in states(trace):
        g = draw_step(step, trace=trace, caption=caption, state=st, before=before, legend=seen)
        g.bd_state = st
        before = st
        yield g


def _legend_seen(trace, legend):
    """What the frames' own legend lists: the ``Seen`` given, the whole trace's when asked for
    with ``True``, or None for no legend in the frames."""
    if isinstance(legend, Seen):
        return legend
    return measure(trace)[1] if legend else None


def measure(trace, *, caption: bool = False) -> tuple:
    """(DOT size of every frame, what all frames draw: the edge kinds and marks a legend of
    the whole trace lists), from one forward pass."""
    from .access import states
    from .legend import union
    sizes, seens, before = [], [], None
    for _, step, st in states(trace):
        g = draw_step(step, trace=trace, caption=caption, state=st, before=before)
        sizes.append(len(g.source))
        seens.append(g.bd_seen)
        before = st
    return sizes, union(seens)
