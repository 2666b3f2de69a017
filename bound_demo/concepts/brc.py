"""Biased reference counting: how a free-threaded CPython counts references.

Mirrors CPython 3.13 (Include/object.h `Py_INCREF`/`Py_DECREF` and `_Py_REFCNT` under
`Py_GIL_DISABLED`; Objects/object.c `_Py_DecRefShared`, `_Py_MergeZeroLocalRefcount`,
`_Py_ExplicitMergeRefcount`; Python/brc.c `_Py_brc_queue_object`, `_Py_brc_merge_refcounts`,
`_Py_brc_remove_thread`). PyO3 itself only calls `Py_IncRef`/`Py_DecRef`; which half of the
count moves is CPython's business, but it decides *when* an object is freed, which programs see.

Each object has an owning thread (`ob_tid`, the thread that allocated it). The owner counts in
`ob_ref_local` without atomics; every other thread counts in `ob_ref_shared` (atomic), whose low
two bits are flags (queued, merged). The rules modelled here:

- incref: the owner adds to `local`, any other thread to `shared`.
- decref by the owner: `local - 1`; at 0 the halves merge: freed if `shared` is 0 too.
- decref by another thread when `shared` is exactly 0: that thread cannot know whether the
  object is dead, so it does not subtract; it queues the object for its owner to merge later
  (the queue holds the reference). If the owner has no thread state (it has ended), the counts
  are merged at once and the object is freed if the total is 0.
- otherwise the decref subtracts from `shared` (which may go negative); a merged object is
  freed when `shared` reaches 0.
- the owner merges its queue when it runs Python bytecode (its eval breaker), when its thread
  state is deleted (`PyGILState_Release` of its outermost attach), or during a collection.

What the frames show: the total `Py_REFCNT` (`local + shared`, flags excluded), because that is
the one number CPython reports to anyone (`sys.getrefcount`, `Py_REFCNT`, the witness) and
the only one whose value does not depend on which thread happened to take a reference. So an
object another thread has queued keeps the queued reference in its count, and stays alive with
count 1 when nothing else refers to it, until its owner merges it: the frames show that.
Simplification: the owner-local and shared halves, and the queue, are the model's own
bookkeeping and not part of a frame. Simplification: the owner's eval breaker never runs
during a program, because the programs' threads run Rust, not Python bytecode, between ops.
Simplification: no object of a program is immortal (immortal objects, 3.12+, ignore counting;
program objects are fresh instances and containers, never the interpreter's singletons).
"""

from __future__ import annotations

from . import errors
from .events import E

MAIN = 0


class Brc:
    """The per-object halves and the per-thread merge queues of one run."""

    __slots__ = ("owner", "local", "shared", "queued", "merged", "queues")

    def __init__(self):
        self.owner = {}  # oid -> owning tid, None once merged (ob_tid == 0)
        self.local = {}
        self.shared = {}  # the count part of ob_ref_shared; flags are `queued` / `merged`
        self.queued = set()
        self.merged = set()
        self.queues = {}  # tid -> oids queued for that owner, in order

    def created(self, oid, tid):
        self.owner[oid], self.local[oid], self.shared[oid] = tid, 1, 0

    def incref(self, oid, tid):
        if self.owner.get(oid) == tid:
            self.local[oid] += 1
        else:
            self.shared[oid] += 1


def created(r, oid):
    if r.brc is not None:
        r.brc.created(oid, r.cur.tid)


def incref(r, oid):
    if r.brc is not None:
        r.brc.incref(oid, r.cur.tid)


# What the decref helpers below return instead of "freed or not" when the decref was only
# queued for the owner (the total does not move yet, and the step is already recorded).
_QUEUED = None


def _owner_decref(r, b, oid, event, op, extra):
    """The owning thread decrements its local half; at 0 the halves merge."""
    b.local[oid] -= 1
    return b.local[oid] == 0 and _merge_zero_local(b, oid)


def _first_shared_decref(r, b, oid, event, op, extra):
    """Another thread's decref that would take the shared half below 0: queued for an owner
    that still has a thread state, else an explicit merge."""
    owner = b.owner[oid]
    if not r.ft.has_tstate(owner):
        return _explicit_merge(b, oid, -1) == 0
    # The queue keeps the reference: the total does not move yet.
    b.queued.add(oid)
    b.queues.setdefault(owner, []).append(oid)
    r.step(E.brc_queue, op, oid, r.m.rc.get(oid),
           dict(extra or {}, owner=r.m.threads[owner].name, drop_event=event))
    return _QUEUED


def _shared_decref(r, b, oid, event, op, extra):
    b.shared[oid] -= 1
    return oid in b.merged and b.shared[oid] == 0


def _decref_path(b, oid, tid):
    """Which half a decref by thread `tid` takes from."""
    if b.owner.get(oid) == tid:
        return _owner_decref
    if b.shared[oid] == 0 and oid not in b.queued and oid not in b.merged:
        return _first_shared_decref
    return _shared_decref


def decref(r, oid, event, op, extra=None):
    """`Py_DECREF` on a free-threaded build, by the current thread. One step, then a free."""
    from . import heap
    m = r.m
    if m.rc.get(oid) <= 0:
        raise errors.use_after_free(extra.get("name", "?") if extra else "?", f"o{oid + 1}")
    dead = _decref_path(r.brc, oid, r.cur.tid)(r, r.brc, oid, event, op, extra)
    if dead is _QUEUED:
        return
    rc = m.add_rc(oid, -1)
    r.step(event, op, oid, rc, extra)
    if dead:
        heap.dealloc(r, oid, op)


def _merge_zero_local(b, oid):
    """`_Py_MergeZeroLocalRefcount`: the owner's half reached 0. Returns whether it is freed."""
    if b.shared[oid] == 0 and oid not in b.queued:
        return True
    b.owner[oid] = None
    b.queued.discard(oid)
    b.merged.add(oid)
    return b.shared[oid] == 0


def _explicit_merge(b, oid, extra):
    """`_Py_ExplicitMergeRefcount`: both halves into `shared`, flagged merged; the new total."""
    total = b.local[oid] + b.shared[oid] + extra
    b.owner[oid], b.local[oid], b.shared[oid] = None, 0, total
    b.queued.discard(oid)
    b.merged.add(oid)
    return total


def merge_queue(r, tid, op, why):
    """The owner `tid` merges the objects other threads queued for it (`_Py_brc_merge_refcounts`):
    each loses the queue's reference; one at 0 is freed."""
    from . import heap
    b, m = r.brc, r.m
    for oid in b.queues.pop(tid, ()):
        if oid not in b.queued:
            continue
        dead = _explicit_merge(b, oid, -1) == 0
        rc = m.add_rc(oid, -1)
        r.step(E.brc_merge, op, oid, rc, {"owner": m.threads[tid].name, "why": why})
        if dead:
            heap.dealloc(r, oid, op)


def merge_all(r, op, why):
    """A collection merges every thread's queue (`merge_all_queued_objects`)."""
    for tid in sorted(r.brc.queues):
        merge_queue(r, tid, op, why)


def abandon(r):
    """After a collection an object whose owner has no thread state (its heap was abandoned)
    is merged (`gc_restore_tid`: the segment's thread id is 0). Only containers are collected
    objects; a `#[pyclass]` without `__traverse__` is not visited.
    Simplification: an abandoned heap is never reclaimed by another thread."""
    b, m = r.brc, r.m
    for oid, owner in list(b.owner.items()):
        if (owner is not None and not r.ft.has_tstate(owner) and m.types[oid] in (1, 2, 3)
                and m.rc.get(oid) > 0):
            _explicit_merge(b, oid, 0)
