"""CPython's cyclic garbage collector as PyO3's classes expose it to it (issue 13).

Mirrors CPython 3.11 Modules/gcmodule.c (`update_refs`, `subtract_refs`, `move_unreachable`:
an object whose count is not all from other tracked objects' visited edges is reachable from
outside; `delete_garbage`: each unreachable object still alive gets its `tp_clear` called, and
ordinary deallocation frees what falls to zero; `gc.collect()` returns how many unreachable
objects it found, freed or not) and, on PyO3's side, `src/pyclass/create_type_object.rs`
(0.20.3 – 0.29.3: `Py_TPFLAGS_HAVE_GC` only with `__traverse__`; 0.30.1 every pyclass, #6269)
and `src/impl_/pymethods.rs` `_call_traverse` (a `__traverse__` that attaches panics; the
panic is caught, printed, and the edges not yet visited stay hidden; an object held
exclusively by a `PyRefMut` / `PyClassGuardMut` is not traversed at all, in every release). Findings settled on real
builds are in docs/design/pyclass-gc.md; the release rows are in `versions.py`.

What the collector sees: lists and tuples visit their items; a declared class with
`traverse` visits its fields (unless it attaches first); every other object visits nothing,
so its fields are invisible and a cycle through it is never found.

Simplification: the type object a 0.30 pyclass also visits is not an object of the program. A
Python subclass's type (`subclass_holds_instance`, #6269) is one extra collector node per
instance, held only by that instance; the collection's count leaves out its internal objects
(see `pyclass.held_by_subclass`).
Simplification: a `traverse_attaches` class panics once per collection per tracked instance
(CPython calls `tp_traverse` several times a collection; the real stderr shows each).
Simplification: tuples are cleared like lists (CPython tuples have no `tp_clear`; a tuple
cycle always passes through something mutable that has one). Dicts hold no items here.
"""

from __future__ import annotations

from . import heap, pycell, pyclass
from .events import E

_LIST, _DICT, _TUPLE = 1, 2, 3


def classes_mode(r):
    """Whether the program declares classes: then collections report found and freed sets."""
    return "classes" in r.program.raw


def _tracked(m, o):
    t = m.types[o]
    info = m.class_of(o)
    return t in (_LIST, _DICT, _TUPLE) or bool(info and info[2])


def _fields_visited(r, o, hidden):
    """A declared class's fields, if its `__traverse__` visits them (it did not panic, and was
    not skipped because the object is exclusively borrowed)."""
    if o in hidden or not _traverses(r, o):
        return []  # no __traverse__ (or one that panicked or was skipped): fields stay invisible
    return [v for v in r.m.pyc[1][o] if v >= 0]


def _traverses(r, o):
    info = r.m.class_of(o)
    return bool(info) and r.program.classes[info[0]].traverse


def _skipped_of(r, live):
    """The live instances whose `__traverse__` PyO3 skips (see `_skipped`)."""
    return [o for o in live if _skipped(r, o)]


def _skipped(r, o):
    """Whether PyO3's traverse trampoline skips the user's `__traverse__` for `o`: it first
    tries a shared borrow of the object, and while a `PyRefMut` or `PyClassGuardMut` holds it
    exclusively that fails and the trampoline returns 0 without calling it (the same in every
    release 0.20 - 0.30: `try_borrow` in `_call_traverse`, `try_from_class_object` in
    `traverse_impl` from 0.29). No panic, and the object's fields are not visited."""
    return r.m.pyc[2].get(o, 0) == pycell.EXCLUSIVE and _traverses(r, o)


def _edges(r, o, hidden):
    """The objects `o`'s tp_traverse visits."""
    if r.m.types[o] in (_LIST, _TUPLE):
        return list(r.m.items_of(o))
    return _fields_visited(r, o, hidden)


def _attaches(r, o):
    info = r.m.class_of(o)
    return bool(info) and r.program.classes[info[0]].traverse_attaches


def _panicking(r, live):
    """The instances whose `__traverse__` is not run to its end, hiding their edges: those
    exclusively borrowed (skipped, no note) and those whose `__traverse__` attaches and panics
    (one note each)."""
    skipped = set(_skipped_of(r, live))
    panics = set(filter(lambda o: _attaches(r, o), set(live) - skipped))
    for o in sorted(panics):
        r.step(E.traverse_panic, r.current_op, o, -1,
               {"notes": [f"panic in __traverse__ (caught by PyO3, printed to stderr): "
                          f"{r.prof.traverse_attach_text}"]})
    return skipped | panics


def _live(r, with_classes):
    """The tracked objects still alive; without classes only lists and tuples, as before."""
    m = r.m
    live = [o for o in range(m.nobj) if m.rc.get(o) > 0 and _tracked(m, o)]
    if with_classes:
        return live
    return [o for o in live if m.types[o] in (_LIST, _TUPLE)]


def _internal(live, edges):
    """How many of each object's references come from other tracked objects' visited edges."""
    internal = dict.fromkeys(live, 0)
    for o in live:
        for i in edges[o]:
            if i in internal:
                internal[i] += 1
    return internal


def _reached(roots, edges, internal):
    seen = set(roots)
    todo = list(roots)
    while todo:
        for i in edges[todo.pop()]:
            if i in internal and i not in seen:
                seen.add(i)
                todo.append(i)
    return seen


def _type_edge_visited(r, o):
    """Whether the collector sees a subclass instance's reference to its type. CPython's
    `subtype_traverse` leaves that visit to the base's traverse when the base is a heap type
    that has one; PyO3 visits the type from 0.30 only (#6269). A base without `__traverse__`
    has no traverse before 0.30, so CPython visits the type itself."""
    return r.prof.pyclass_always_gc or not _traverses(r, o)


def _add_subclass_types(r, live, edges):
    """Each subclass instance's type as one more node ("type", oid): its dict holds the
    instance (`Sub.me`), and the instance's `ob_type` edge to it is visited or not."""
    types = [("type", o) for o in live if pyclass.subclassed(r, o)]
    for t in types:
        edges[t] = [t[1]]
        if _type_edge_visited(r, t[1]):
            edges[t[1]] = edges[t[1]] + [t]
    return types


def _count(r, k):
    """A node's refcount; a subclass type is held only by its instance (`del Sub`)."""
    return 1 if isinstance(k, tuple) else r.m.rc.get(k)


def unreachable(r, with_classes):
    """The tracked, live objects no outside reference reaches, in creation order, and the
    instances whose subclass type is unreachable too."""
    live = _live(r, with_classes)
    hidden = _panicking(r, live) if with_classes else set()
    edges = {o: _edges(r, o, hidden) for o in live}
    types = _add_subclass_types(r, live, edges)
    internal = _internal(list(edges), edges)
    seen = _reached(_roots(r, edges, internal), edges, internal)
    return _unseen(live, seen), [t[1] for t in _unseen(types, seen)]


def _roots(r, edges, internal):
    """The nodes with a reference from outside the tracked objects' visited edges."""
    return [k for k in edges if _count(r, k) > internal[k]]


def _unseen(nodes, seen):
    return [k for k in nodes if k not in seen]


def _clear_container(r, oid, op, with_classes):
    """A list's (or tuple's) `tp_clear`: its items go, last first."""
    m = r.m
    if with_classes and m.items_of(oid):
        r.step(E.gc_clear, op, oid, -1, None)
    while m.rc.get(oid) > 0 and m.items_of(oid):
        item = list(m.items_of(oid))[-1]
        m.item_pop(oid)
        heap.decref(r, item, E.gc_free, op, {"container": oid})


def _clear_instance(r, oid, op, with_classes):
    """A declared class's `__clear__`, if it has one."""
    info = r.m.class_of(oid)
    if info and r.program.classes[info[0]].clear:
        r.step(E.gc_clear, op, oid, -1, None)
        pyclass.release_fields(r, oid, op, by_gc=True)


def _clear(r, oid, op, with_classes):
    """`tp_clear` of one unreachable object, if its type has one and it is still alive."""
    if r.m.rc.get(oid) <= 0:
        return
    slotted = r.m.types[oid] in (_LIST, _TUPLE)
    (_clear_container if slotted else _clear_instance)(r, oid, op, with_classes)


def _show_found(r, op, found, types):
    """The step with the found set; its notes say which traverses were skipped and what
    became of the subclass types."""
    notes = _skip_notes(r) + _type_notes(r, types)
    r.step(E.gc_found, op, len(found), -1, {"found": _names(found), **({"notes": notes} if notes else {})})


def _skip_notes(r):
    """A note per traversing instance whose `__traverse__` this collection skipped."""
    return [f"o{o + 1} is exclusively borrowed: PyO3 skips its __traverse__, so its fields "
            "are not visited" for o in _skipped_of(r, _live(r, True))]


def _type_notes(r, types):
    """What the collection did with the subclass types (#6269), which are not program objects."""
    notes = [f"the subclass type of o{o + 1} (with its dict, MRO tuple and other internals) is "
             "unreachable too and freed with it; the real gc.collect() counts those objects as "
             "well (6 more on CPython 3.11), the model's count is the program's objects only"
             for o in types]
    return notes + [f"the subclass type of o{o + 1} looks referenced from outside (its instance's "
                    "edge to it is not visited before PyO3 0.30, #6269): not found, it leaks"
                    for o in _hidden_types(r, types)]


def _hidden_types(r, types):
    """The live subclass instances whose type the collector cannot see through them."""
    return [o for o in _unseen(_live(r, True), types)
            if pyclass.subclassed(r, o) and not _type_edge_visited(r, o)]


def _clear_type(r, oid, op):
    """The subclass type's `tp_clear` empties its dict: `Sub.me` releases the instance."""
    if r.m.rc.get(oid) > 0:
        heap.decref(r, oid, E.gc_free, op, {"container": oid, "subclass": True})


def _names(oids):
    return [f"o{o + 1}" for o in oids]


def collect(r, op):
    """One collection: (found, freed) object ids. With classes declared, the state's
    `last_gc` records them and the steps show the found set and each `tp_clear`."""
    with_classes = classes_mode(r)
    found, types = unreachable(r, with_classes)
    if with_classes:
        _show_found(r, op, found, types)
    for oid in types:
        _clear_type(r, oid, op)
    for oid in found:
        _clear(r, oid, op, with_classes)
    freed = [o for o in found if r.m.rc.get(o) <= 0]
    if with_classes:
        r.m.set_last_gc(found, freed)
    return found, freed
