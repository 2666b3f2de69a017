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

from . import brc, errors, gc
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
    found, freed = collect_cycles(r, op)
    if r.prof.free_threaded:
        brc.abandon(r)
    if gc.classes_mode(r):
        # With classes, the step's number is what gc.collect() returns: the unreachable found.
        r.step(E.gc_collect, op, len(found), -1, {"found": found, "freed": freed})
    else:
        r.step(E.gc_collect, op, len(freed), -1, {"freed": freed})


def collect_cycles(r, op):
    """Free the unreachable cycles (concepts/gc.py). Returns (found, freed) as "oN" names."""
    found, freed = gc.collect(r, op)
    return [f"o{o + 1}" for o in found], [f"o{o + 1}" for o in freed]
