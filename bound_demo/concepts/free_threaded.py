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
from ..store.names import S
from .events import E

MAIN = 0


class ThreadStates:
    """Which threads have a CPython thread state, and how deep their `PyGILState_Ensure`s are."""

    __slots__ = ("depth", "immortalized", "gil_enabled")

    def __init__(self):
        self.depth = {MAIN: 1}  # the main thread's state lives as long as the interpreter
        self.immortalized = False
        self.gil_enabled = False  # a module without `gil_used = false` turned the GIL on

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
    errors.need_token(r, "py.import(\"gc\")?.call_method0(\"collect\")")
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


# ---- what a free-threaded build removes or makes unsound (versions.FT_APIS) ---------------
def module_init(r):
    """Importing the program's module on a free-threaded build. A module that does not
    declare `gil_used = false` makes CPython enable the GIL for the whole process
    (Python/import.c `_PyImport_CheckGILForModule`), with a RuntimeWarning: from then on
    attaching excludes other threads again, so the GIL build's deadlock comes back. The
    program's `gil_used` key is that declaration; without it the module is taken to declare
    what the release makes the default (versions.gil_used_default).
    Simplification: the program's own module is the only one imported, before its first op.
    """
    if not r.prof.free_threaded or not _gil_used(r):
        return
    r.ft.gil_enabled = True
    r.step(E.gil_enabled, None, -1, -1, {"python": r.prof.ft_python})


def _gil_used(r):
    from ..versions import gil_used_default
    declared = r.program.raw.get("gil_used")
    return gil_used_default(r.prof.pyo3) if declared is None else declared


def _list_shared(r, oid):
    """The other threads holding a live handle to this list (they may touch it meanwhile)."""
    tid, m = r.cur.tid, r.m
    return sorted({m.threads[h.tid].name for h in r.handles.values()
                   if h.oid == oid and h.tid != tid and h.status == S.LIVE})


def get_item_unchecked(r, op):
    """`PyListMethods`/`PyTupleMethods::get_item_unchecked` (an `unsafe fn`): an out-of-range
    index is undefined behaviour (`unsound`); in range it is `get_item` (an owned Bound, +1).
    On a free-threaded build a list may change under another thread meanwhile, so its safety
    contract (v0.28.3 src/types/list.rs, the `# Safety` of `get_item_unchecked`) also asks for
    exclusive access (a lock, or the list's critical section): a list another thread holds a
    handle to breaks it. Tuples cannot change, so they keep the GIL build's contract.
    Simplification: "another thread holds a handle to it" stands for "may be used meanwhile";
    the programs' threads take turns, so a real race is never observed."""
    from . import instance
    h, oid, t = instance._container(r, op, "get_item_unchecked", (1, 3))
    i, n = op.d["index"], r.m.item_count(oid)
    if i >= n:
        raise _unchecked_out_of_range(h.name, i, n)
    others = _list_shared(r, oid) if r.prof.free_threaded and t == 1 else []
    if others:
        raise _unchecked_shared_list(h.name, others, r.prof.ft_python)
    instance.op_get_item(r, op)


def _unchecked_out_of_range(name, index, length):
    return errors.RustError(
        "unsound",
        f"undefined behaviour: `{name}.get_item_unchecked({index})` reads past the end (length "
        f"{length}); the `unsafe fn` checks nothing. Fix: `get_item({index})?`, which returns "
        f"an IndexError instead.")


def _unchecked_shared_list(name, others, python):
    who = ", ".join(f"`{t}`" for t in others)
    return errors.RustError(
        "unsound",
        f"undefined behaviour on Python {python}: `{name}.get_item_unchecked(..)` needs "
        f"exclusive access to the list on a free-threaded build, and thread {who} also holds "
        f"it and may change it at the same time (no GIL stops it). Fix: `get_item(..)?` (it "
        f"takes a strong reference safely), or hold the list's critical section "
        f"(`pyo3::sync::with_critical_section`) around the unchecked read.")


def gil_protected(r, op):
    """`static S: GILProtected<T>` read with `S.get(py)`: needs `py`; absent on free-threaded
    builds (`#[cfg(not(Py_GIL_DISABLED))]`, 0.23+) and removed in 0.28 (api_check reports
    both, from versions.API_CHANGES and FT_APIS); otherwise a step that changes no count."""
    from ..versions import gil_protected_status
    status = gil_protected_status(r.prof)
    if status != "present" and status != "deprecated":
        raise errors.compile_error(
            f"unresolved import `pyo3::sync::GILProtected`: no `GILProtected` in `sync` in "
            f"{r.prof.label}: {_gil_protected_fix(status)}", "E0432")
    errors.need_token(r, "GILPROTECTED.get(py)")
    notes = [_GIL_PROTECTED_NOTE] if status == "deprecated" else None
    r.step(E.gil_protected, op, -1, -1, {"notes": notes} if notes else None)


_GIL_PROTECTED_FIX = {
    "free_threaded": "it relies on the GIL for exclusion, so free-threaded builds leave it out "
                     "(#4504). Fix: a `std::sync::Mutex` (`MutexExt::lock_py_attached` waits "
                     "for it without blocking a stop-the-world pause).",
    "removed": "it was {when} (#5285, #5740). Fix: a `std::sync::Mutex`.",
}
def _gil_protected_fix(status):
    from .. import timeline
    return _GIL_PROTECTED_FIX[status].format(when=timeline.phrase("GILProtected"))


_GIL_PROTECTED_NOTE = ("deprecated since 0.26: `GILProtected` only protects while a GIL exists; "
                       "use a `std::sync::Mutex`.")


OPS = {"get_item_unchecked": get_item_unchecked, "gil_protected": gil_protected}
