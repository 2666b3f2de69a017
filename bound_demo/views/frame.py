"""``draw_step``: one step of a trace as a Graphviz diagram.

Left column: one cluster per thread (GIL state and count, Rust handles, the
owned-object pool). Middle: the Python heap in creation order. Right: the global
reference pool queue, Python-side variables and the legend. The function reads
only the step it is given (plus, optionally, the trace to reserve room for what
will exist later); it never simulates anything.
"""
from __future__ import annotations

import graphviz

from . import palette as P
from . import tables
from .access import extra
from .dotsrc import DotWriter
from .labels import count_name, esc, gil_words, safe_id, version_tuple
from .layout import (HANDLE_CAP, OBJECT_CAP, POOL_CAP, QUEUE_CAP, SLOT_CAP, Universe, capped,
                     of_state, of_trace)

GRAPH_ATTR = {
    "rankdir": "LR", "newrank": "true", "nodesep": "0.12", "ranksep": "0.9",
    "fontname": P.FONT, "bgcolor": P.WHITE, "pad": "0.1", "splines": "true",
    "outputorder": "edgesfirst",
}


def draw_step(step, *, trace=None, caption: bool = False) -> graphviz.Digraph:
    """Draw ``step.state``; with ``trace``, keep room for everything the trace ever shows."""
    st = step.state
    uni = of_trace(trace) if trace is not None else of_state(st)
    touched = getattr(step, "touched", None) or {}
    g = DotWriter("bound_demo", graph_attr=dict(GRAPH_ATTR),
                  node_attr={"shape": "plain", "fontname": P.FONT},
                  edge_attr={"arrowsize": "0.6"})
    if caption:
        total = f"/{len(trace.steps)}" if trace is not None else ""
        g.attr(label=f"<<B>step {step.index + 1}{total}</B>: {esc(step.caption)}>",
               labelloc="t", labeljust="l", fontsize="12")
    spine = _threads(g, st, uni, trace, touched)
    shown, hidden = _heap(g, st, uni, touched)
    _right_column(g, st, uni, trace, touched)
    # Invisible edges fix the column order; they never move as the state changes.
    g.edge("heap_anchor", "queue", style="invis")
    _edges(g, st, uni, shown, hidden)
    return g.digraph()


def _no_pool_note(trace) -> str | None:
    """Releases without OWNED_OBJECTS say so instead of drawing an empty strip."""
    if trace is None:
        return None
    v = version_tuple(trace.pyo3)
    if v >= (0, 23) or (v == (0, 22) and "gil-refs" not in tuple(trace.features or ())):
        return f"no owned-object pool in PyO3 {trace.pyo3}"
    return None


def _threads(g, st, uni: Universe, trace, touched) -> list:
    spine = []
    t_touched = set(touched.get("threads") or [])
    h_touched = set(touched.get("handles") or [])
    o_touched = set(touched.get("objects") or [])
    note = _no_pool_note(trace)
    handles_by_thread = {}
    for name, h in st.handles.items():
        handles_by_thread.setdefault(h.thread if h.thread is not None else uni.threads[0], {})[name] = h
    for tname in uni.threads:
        th = st.threads.get(tname)
        tid = safe_id("t", tname)
        with g.subgraph(name=f"cluster_{tid}") as c:
            c.attr(label="", style="rounded", color=P.GREY if th is None else P.BLACK, penwidth="1")
            c.node(f"{tid}_hdr", tables.thread_header(
                tname, th, count_name=count_name(trace), words=gil_words(trace),
                touched=tname in t_touched, width=220))
            c.node(f"{tid}_h", tables.handle_table(
                uni.handles.get(tname, []), handles_by_thread.get(tname, {}),
                touched=h_touched, width=220))
            c.node(f"{tid}_pool", tables.pool_strip(
                th, columns=uni.pool_cols.get(tname, 0), touched=o_touched, note=note,
                releasing=uni.releasing.get(tname, 0)))
        spine += [f"{tid}_hdr", f"{tid}_h", f"{tid}_pool"]
    with g.subgraph() as s:
        s.attr(rank="same")
        for n in spine:
            s.node(n)
    _chain(g, spine)
    # Flat edges between clusters do not order the clusters themselves; the heap's
    # anchor, which keeps its in-edges in order (ordering=in), does. Reversed for LR.
    for tname in reversed(uni.threads):
        g.edge(f"{safe_id('t', tname)}_hdr", "heap_anchor", style="invis")
    return spine


def _heap(g, st, uni: Universe, touched):
    """Objects in creation order; those not yet created are invisible but take their room."""
    head, hidden, tail = capped(uni.objects, OBJECT_CAP // 2)
    o_touched = set(touched.get("objects") or [])
    names = ["heap_anchor"]
    with g.subgraph(name="cluster_heap") as c:
        c.attr(label="<<I>Python heap</I>>", fontsize="10", style="rounded", color=P.GREY)
        c.node("heap_anchor", "", shape="point", style="invis", width="0.01", ordering="in")
        for oid in head + ([None] if hidden else []) + tail:
            if oid is None:
                c.node("o_more", f"<<I>… {hidden} more objects …</I>>", shape="box", color=P.GREY)
                names.append("o_more")
                continue
            ob = st.objects.get(oid)
            nid = safe_id("o", oid)
            label = tables.heap_object(oid, ob, slots=uni.slots.get(oid, 0), touched=oid in o_touched)
            c.node(nid, label, **({"style": "invis"} if ob is None else {}))
            names.append(nid)
        with c.subgraph() as s:
            s.attr(rank="same")
            for n in names:
                s.node(n)
    _chain(g, names)
    return set(head) | set(tail), bool(hidden)


def _right_column(g, st, uni: Universe, trace, touched):
    show_increfs = uni.ever_increfs or (trace is not None and version_tuple(trace.pyo3) < (0, 22))
    column = (["queue"] + (["pyvars"] if uni.py_vars else []) + (["flight"] if uni.in_flight else [])
              + (["leaked"] if uni.leaked else []) + ["legend"])
    o_touched = set(touched.get("objects") or [])
    # A borderless cluster: dot orders flat chains inside clusters the same way
    # everywhere, so this column stacks like the others.
    with g.subgraph(name="cluster_right") as c:
        c.attr(label="", peripheries="0")
        c.node("queue", tables.queue_table(st, increfs=uni.increfs, decrefs=uni.decrefs,
                                           show_increfs=show_increfs,
                                           touched=bool(touched.get("pending")),
                                           lazy=trace is None or (0, 22) <= version_tuple(trace.pyo3) < (0, 30),
                                           draining=(uni.draining_increfs, uni.draining_decrefs)))
        if uni.py_vars:
            c.node("pyvars", tables.py_var_table(uni.py_vars, st.py_vars))
        if uni.in_flight:
            c.node("flight", tables.transit_table(
                "return values in flight", extra(st, "in_flight"), prefix="f",
                reserved=uni.in_flight, touched=o_touched))
        if uni.leaked:
            c.node("leaked", tables.transit_table(
                "leaked references", extra(st, "leaked"), prefix="l",
                reserved=uni.leaked, touched=o_touched))
        c.node("legend", tables.legend())
        with c.subgraph() as s:
            s.attr(rank="same")
            for n in column:
                s.node(n)
    _chain(g, column)


def _chain(g, names):
    """Stack same-rank nodes top to bottom in list order.

    With rankdir=LR, dot places the head of a flat edge above its tail, so the
    invisible chain runs from the last name back to the first.
    """
    for a, b in zip(names, names[1:]):
        g.edge(b, a, style="invis")


def _edge(g, tail, head, key):
    color, style, width, _ = P.EDGE[key]
    # constraint=false and weight=0: references never move nodes; only the invisible
    # ordering edges above decide where things sit.
    g.edge(tail, head, color=color, style=style, penwidth=str(width),
           constraint="false", weight="0")


def _edges(g, st, uni: Universe, shown: set, hidden: bool):
    def target(oid, side):
        if oid in shown:
            return f"{safe_id('o', oid)}:{side}"
        return "o_more" if hidden else None

    owned_by = {}
    for tname in uni.threads:
        th = st.threads.get(tname)
        if th is None:
            continue
        tid = safe_id("t", tname)
        _, _, _, _, _, visible = tables.pool_view(th)
        for i, oid in visible.items():
            t = target(oid, "w")
            if t:
                _edge(g, f"{tid}_pool:p{i}", t, "pool")
        releasing = extra(th, "releasing")
        head, _, tail = capped(list(range(len(releasing))), POOL_CAP)
        for i in head + tail:
            t = target(releasing[i], "w")
            if t:
                _edge(g, f"{tid}_pool:r{i}", t, "pool")
        owned_by[tname] = th
    rows = {}
    for tname, names in uni.handles.items():
        head, _, tail = capped(names, HANDLE_CAP)
        rows[tname] = set(head) | set(tail)
    for name, h in st.handles.items():
        thread = h.thread if h.thread is not None else uni.threads[0]
        if h.status != "live" or h.obj is None or name not in rows.get(thread, ()):
            continue
        t = target(h.obj, "w")
        if not t:
            continue
        key = h.kind if h.kind in P.EDGE else "bound"
        if h.kind == "gil_ref" and not (h.owns or _in_pool(owned_by.get(thread), h.obj)):
            key = "gil_ref_borrow"
        _edge(g, f"{safe_id('t', thread)}_h:{safe_id('h', name)}:e", t, key)
    for oid in uni.objects:
        ob = st.objects.get(oid)
        if ob is None or oid not in shown or not ob.items:
            continue
        head, _, tail = capped(list(range(len(ob.items))), SLOT_CAP)
        for i in head + tail:
            t = target(ob.items[i], "e")
            if t:
                _edge(g, f"{safe_id('o', oid)}:s{i}", t, "slot")
    for prefix, key, queue in (("i", "incref", st.pending_increfs), ("d", "decref", st.pending_decrefs),
                               ("xi", "incref", extra(st, "draining_increfs")),
                               ("xd", "decref", extra(st, "draining_decrefs"))):
        head, _, tail = capped(list(range(len(queue))), QUEUE_CAP)
        for i in head + tail:
            t = target(queue[i], "e")
            if t:
                _edge(g, f"queue:{prefix}{i}:w", t, key)
    for name, oid in st.py_vars.items():
        t = target(oid, "e")
        if t:
            _edge(g, f"pyvars:{safe_id('v', name)}:w", t, "py_var")
    for node, prefix, key in (("flight", "f", "in_flight"), ("leaked", "l", "leaked")):
        items = extra(st, key)
        head, _, tail = capped(list(range(len(items))), QUEUE_CAP)
        for i in head + tail:
            t = target(items[i], "e")
            if t:
                _edge(g, f"{node}:{prefix}{i}:w", t, key)


def _in_pool(th, oid) -> bool:
    """Whether a GIL ref's object is registered in its thread's pool (read only when asked)."""
    return th is not None and oid in set(th.owned)
