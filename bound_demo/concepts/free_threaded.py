"""Free-threaded CPython as PyO3 0.23+ meets it: thread states, stop-the-world pauses, and
`gc.collect()`.

Mirrors CPython 3.13 Python/pystate.c (`new_threadstate`, `PyGILState_Ensure`/`Release`,
`_PyEval_StopTheWorld`), Python/gc_free_threading.c (`_PyGC_ImmortalizeDeferredObjects`,
`gc_collect_internal`, `merge_all_queued_objects`, `gc_restore_tid`) and, on PyO3's side,
`AttachGuard::acquire` (v0.28.3 src/internal/state.rs), whose outermost attach is
`PyGILState_Ensure`. PyO3's reference pool (src/internal/state.rs `ReferencePool`) is the same
on both builds: any thread that attaches drains it (0.30 lets one drain at a time with a
compare-exchange; the programs' threads never attach at the same instant, so it shows the same).

On a free-threaded build attaching excludes no one: several threads are attached at once, so the
GIL build's deadlock (a worker needs the GIL its joiner holds) does not exist. What can wait
forever instead is a stop-the-world pause: it waits until every other attached thread detaches
or reaches a safe point (runs Python code, or attaches/detaches). A thread that is attached and
blocked in Rust (joining a worker, waiting on a lock) does neither. The pauses a program reaches:

- `gc_collect` (`gc.collect()`, any thread), on 3.13t and 3.14t;
- on 3.13t only, the first thread state created for a thread other than the main one, in the
  process: CPython immortalizes the objects that use deferred reference counting, once;
- Simplification: the pause for growing the QSBR array (more than 8 thread states at once) is
  not modelled; programs nest far fewer threads.

A program's threads run one at a time (see rules/interpreter.py): while one runs, every other
one is blocked where it entered the thread block. So a pause hangs exactly when one of those
waiting threads is attached.
Simplification: the process starts fresh for each program: only the main thread has ever had a
thread state (the free-threaded witness starts a new process for every program with threads).
Simplification: a collection frees the program's unreachable cycles and merges every queue;
which thread's heap an object's memory belongs to afterwards is taken to be its owner's, or none
(merged) when that owner has no thread state.
"""

from __future__ import annotations

from . import brc, errors, heap
from .events import E

MAIN = 0


class ThreadStates:
    """Which threads have a CPython thread state, and how deep their `PyGILState_Ensure`s are."""

    __slots__ = ("depth", "immortalized")

    def __init__(self):
        self.depth = {MAIN: 1}  # the main thread's state lives as long as the interpreter
        self.immortalized = False

    def has_tstate(self, tid):
        return self.depth.get(tid, 0) > 0


def _blocked_attached(r):
    """The threads waiting in thread blocks (blocked in Rust) that are attached."""
    m, tid = r.m, r.cur.tid
    return [m.threads[t].name for t in r.waiting if t != tid and m.threads[t].holds]


def stop_the_world(r, op, what):
    """`_PyEval_StopTheWorld`: hangs (error `hang`) when an attached thread is blocked."""
    blocked = _blocked_attached(r)
    if blocked:
        raise errors.hang(r.m.threads[r.cur.tid].name, what, blocked)


def ensure(r, op):
    """`PyGILState_Ensure` on the current thread: a first one creates its thread state."""
    ts, tid = r.ft, r.cur.tid
    if not ts.has_tstate(tid) and r.prof.stw_on_first_thread and not ts.immortalized:
        stop_the_world(r, op, "creates the first thread state besides the main one (CPython "
                              "3.13 then immortalizes objects that use deferred reference "
                              "counting)")
        ts.immortalized = True
        r.step(E.stop_the_world, op, -1, -1, {"why": "first_thread"})
    ts.depth[tid] = ts.depth.get(tid, 0) + 1


def release(r, op):
    """`PyGILState_Release`: the outermost one deletes a worker's thread state, which first
    merges the objects other threads queued for it (`_Py_brc_remove_thread`)."""
    ts, tid = r.ft, r.cur.tid
    ts.depth[tid] -= 1
    if not ts.depth[tid]:
        brc.merge_queue(r, tid, op, "thread_state_deleted")


def gc_collect(r, op):
    """`gc.collect()` from Rust: needs `py`; on a free-threaded build it stops the world."""
    if r.cur.token is None:
        raise errors.no_token("py.import(\"gc\")?.call_method0(\"collect\")")
    if r.prof.free_threaded:
        stop_the_world(r, op, "calls gc.collect()")
        brc.merge_all(r, op, "collection")
    freed = collect_cycles(r, op)
    if r.prof.free_threaded:
        brc.abandon(r)
    r.step(E.gc_collect, op, len(freed), -1, {"freed": freed})


def _internal_counts(live, items):
    """How many references to each live container come from other live containers."""
    internal = dict.fromkeys(live, 0)
    for o in live:
        for i in items[o]:
            if i in internal:
                internal[i] += 1
    return internal


def _reached(roots, items, internal):
    """Every live container reachable from `roots` (the roots included)."""
    seen, todo = set(roots), list(roots)
    while todo:
        new = [i for i in items.get(todo.pop(), ()) if i in internal and i not in seen]
        seen.update(new)
        todo += new
    return seen


def _unreachable(m):
    """CPython's cycle detection over the live containers: an object whose count is not all
    from other containers is a root; what no root reaches is garbage."""
    live = [o for o in range(m.nobj) if m.types[o] in (1, 3) and m.rc.get(o) > 0]
    items = {o: list(_items(m, o)) for o in live}
    internal = _internal_counts(live, items)
    seen = _reached([o for o in live if m.rc.get(o) > internal[o]], items, internal)
    return [o for o in live if o not in seen]


def _items(m, oid):
    return m.items_of(oid)


def collect_cycles(r, op):
    """Free the unreachable cycles: each garbage container drops its items (last first); the
    counts then reach zero and the containers are freed. Returns the freed object ids."""
    m = r.m
    garbage = _unreachable(m)
    for oid in garbage:
        # A container freed by the cascade has already dropped its remaining items.
        while m.rc.get(oid) > 0 and _items(m, oid):
            item = list(_items(m, oid))[-1]
            m.item_pop(oid)
            heap.decref(r, item, E.gc_free, op, {"container": oid})
    return [f"o{o + 1}" for o in garbage]
