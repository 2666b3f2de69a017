"""CPython's cyclic garbage collector as PyO3's classes expose it to it (issue 13).

Mirrors CPython 3.11 Modules/gcmodule.c (`update_refs`, `subtract_refs`, `move_unreachable`:
an object whose count is not all from other tracked objects' visited edges is reachable from
outside; `delete_garbage`: each unreachable object still alive gets its `tp_clear` called, and
ordinary deallocation frees what falls to zero; `gc.collect()` returns how many unreachable
objects it found, freed or not) and, on PyO3's side, `src/pyclass/create_type_object.rs`
(0.20.3 – 0.29.3: `Py_TPFLAGS_HAVE_GC` only with `__traverse__`; 0.30.1 every pyclass, #6269)
and `src/impl_/pymethods.rs` `_call_traverse` (a `__traverse__` that attaches panics; the
panic is caught, printed, and the edges not yet visited stay hidden). Findings settled on real
builds are in docs/design/pyclass-gc.md; the release rows are in `versions.py`.

What the collector sees: lists and tuples visit their items; a declared class with
`traverse` visits its fields (unless it attaches first); every other object visits nothing,
so its fields are invisible and a cycle through it is never found.

Simplification: the type object a 0.30 pyclass also visits is not modelled (types are not
objects of the program), nor Python subclasses (#6269's leak).
Simplification: a `traverse_attaches` class panics once per collection per tracked instance
(CPython calls `tp_traverse` several times a collection; the real stderr shows each).
Simplification: tuples are cleared like lists (CPython tuples have no `tp_clear`; a tuple
cycle always passes through something mutable that has one). Dicts hold no items here.
"""

from __future__ import annotations

from . import heap, pyclass
from .events import E

_LIST, _DICT, _TUPLE = 1, 2, 3


def classes_mode(r):
    """Whether the program declares classes: then collections report found and freed sets."""
    return "classes" in r.program.raw


def _tracked(m, o):
    t = m.types[o]
    if t in (_LIST, _TUPLE):
        return True
    info = m.class_of(o)
    return t == _DICT or bool(info and info[2])


def _edges(r, o, hidden):
    """The objects `o`'s tp_traverse visits."""
    m = r.m
    if m.types[o] in (_LIST, _TUPLE):
        return list(m.items_of(o))
    info = m.class_of(o)
    if o in hidden or info is None or not r.program.classes[info[0]].traverse:
        return []  # no __traverse__ (or one that panicked): its fields stay invisible
    return [v for v in m.pyc[1][o] if v >= 0]


def _visible_fields(r, live):
    """The instances whose `__traverse__` visits their fields; the others' `__traverse__`
    attaches and panics (one note each), hiding its edges."""
    hidden = set()
    for o in live:
        info = r.m.class_of(o)
        if info and r.program.classes[info[0]].traverse_attaches:
            hidden.add(o)
            r.step(E.traverse_panic, r.current_op, o, -1,
                   {"notes": [f"panic in __traverse__ (caught by PyO3, printed to stderr): "
                              f"{r.prof.traverse_attach_text}"]})
    return hidden


def unreachable(r, with_classes):
    """The tracked, live objects no outside reference reaches, in creation order."""
    m = r.m
    live = [o for o in range(m.nobj) if m.rc.get(o) > 0 and _tracked(m, o)]
    if not with_classes:  # programs without classes: only lists and tuples, as before
        live = [o for o in live if m.types[o] in (_LIST, _TUPLE)]
    hidden = _visible_fields(r, live) if with_classes else set()
    edges = {o: _edges(r, o, hidden) for o in live}
    internal = dict.fromkeys(live, 0)
    for o in live:
        for i in edges[o]:
            if i in internal:
                internal[i] += 1
    reach = [o for o in live if m.rc.get(o) > internal[o]]
    seen = set(reach)
    while reach:
        for i in edges[reach.pop()]:
            if i in internal and i not in seen:
                seen.add(i)
                reach.append(i)
    return [o for o in live if o not in seen]


def _clear(r, oid, op, with_classes):
    """`tp_clear` of one unreachable object, if its type has one and it is still alive."""
    m = r.m
    if m.rc.get(oid) <= 0:
        return
    if m.types[oid] in (_LIST, _TUPLE):
        if with_classes and m.items_of(oid):
            r.step(E.gc_clear, op, oid, -1, None)
        while m.rc.get(oid) > 0 and m.items_of(oid):
            item = list(m.items_of(oid))[-1]
            m.item_pop(oid)
            heap.decref(r, item, E.gc_free, op, {"container": oid})
        return
    info = m.class_of(oid)
    if info and r.program.classes[info[0]].clear:
        r.step(E.gc_clear, op, oid, -1, None)  # the class's __clear__
        pyclass.release_fields(r, oid, op, by_gc=True)


def collect(r, op):
    """One collection: (found, freed) object ids. With classes declared, the state's
    `last_gc` records them and the steps show the found set and each `tp_clear`."""
    with_classes = classes_mode(r)
    found = unreachable(r, with_classes)
    if with_classes:
        r.step(E.gc_found, op, len(found), -1, {"found": [f"o{o + 1}" for o in found]})
    for oid in found:
        _clear(r, oid, op, with_classes)
    freed = [o for o in found if r.m.rc.get(o) <= 0]
    if with_classes:
        r.m.set_last_gc(found, freed)
    return found, freed
