"""Python objects and their refcounts: CPython's `Py_INCREF`, `Py_DECREF` and deallocation.

Mirrors CPython's object header (`ob_refcnt`) and, for containers, `list_dealloc` /
`tupledealloc` in Objects/listobject.c and Objects/tupleobject.c, which release their items
from the last slot to the first. An instance of a `#[pyclass]` is freed through PyO3's
`tp_dealloc` trampoline (src/impl_/trampoline.rs, `dealloc`), which opens a `GILPool`
(0.20, 0.21) or an assumed `GILGuard` (0.22+) and therefore drains the global reference
pool, re-entrantly, before the object's memory goes.

Simplification: every object is a `#[pyclass]` instance or a list, tuple or dict built by
the program, so none is immortal (CPython 3.12+ immortal objects ignore refcounting).
Simplification: dicts hold no items in this model.
Simplification: the dealloc trampoline is shown as steps only when POOL has something to
drain; otherwise its GIL_COUNT +1/-1 (and, in 0.20/0.21, its empty pool) change nothing
that a later step could see.
"""

from __future__ import annotations

from . import brc, errors, pyclass
from .events import E
from ..store.names import ObjType

TYPECODE = {t.value: t.code for t in ObjType}  # the program's type name -> the stored code
_OBJECT = ObjType.OBJECT.code
_SLOTTED = (ObjType.LIST.code, ObjType.TUPLE.code)  # dicts hold no items (a Simplification)


def incref(r, oid, event, op, extra=None):
    """`Py_INCREF`: +1 at once. One step."""
    m = r.m
    if m.rc.get(oid) <= 0:
        if event == E.drain_incref:
            raise errors.RustError(
                "unsound",
                f"undefined behaviour: a queued incref of o{oid + 1} is applied after the object "
                f"was freed. A `Py::clone` made without the GIL only queued its +1, so the count "
                f"reached zero while a clone still existed: this is why 0.22 removed deferred "
                f"increfs (PyO3 #4105). Fix: clone with `clone_ref(py)` while the GIL is held.")
        raise errors.use_after_free(extra.get("name", "?") if extra else "?", f"o{oid + 1}")
    if r.brc is not None:
        r.brc.incref(oid, r.cur.tid)  # free-threaded: which half counts it (concepts/brc.py)
    r.step(event, op, oid, m.add_rc(oid, 1), extra)


def decref(r, oid, event, op, extra=None):
    """`Py_DECREF`: -1 at once; at zero the object is deallocated. One step, then the cascade."""
    if r.brc is not None:
        return brc.decref(r, oid, event, op, extra)  # free-threaded: biased counting
    m = r.m
    rc = m.add_rc(oid, -1)
    if rc < 0:
        raise errors.use_after_free(extra.get("name", "?") if extra else "?", f"o{oid + 1}")
    r.step(event, op, oid, rc, extra)
    if rc == 0 and (m.types[oid] or m.pinc.n or m.pdec.n or oid in m.pyc[1]):
        dealloc(r, oid, op)  # (a pyclass with nothing pending to drain and no fields has
        # nothing to show)


def dealloc(r, oid, op):
    """Free an object: a container drops its slots (last first); a pyclass runs PyO3's trampoline."""
    m = r.m
    t = m.types[oid]
    if t == _OBJECT:
        r.dealloc_trampoline(oid, op)  # shows only when it has something to drain
        if oid in m.pyc[1]:
            pyclass.release_fields(r, oid, op)  # a declared class's fields drop with it
    elif t in _SLOTTED:
        for item in reversed(m.items_of(oid)):
            m.item_pop(oid)
            decref(r, item, E.release_item, op, {"container": oid})
