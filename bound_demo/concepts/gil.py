"""The GIL as PyO3 counts it: `GIL_COUNT` (0.26+: `ATTACH_COUNT`), `with_gil`/`attach`,
`allow_threads`/`detach` (`SuspendGIL`), and the trampolines of `#[pyfunction]` and
`tp_dealloc`.

Mirrors `Python::with_gil` (v0.20.3:src/marker.rs L427-L435), `GILGuard::acquire` and
`acquire_unchecked` (v0.20.3:src/gil.rs L171-L241, v0.21.2 L173-L231, v0.22.6 L151-L251,
v0.23.5 L139-L247), `AttachGuard` (v0.29.2:src/internal/state.rs L67-L184), `SuspendGIL`
(v0.20.3:src/gil.rs L299-L318; v0.29.2 `SuspendAttach` L251-L273) and the trampolines in
src/impl_/trampoline.rs (v0.20.3 L171-L229, v0.21.2 L175-L191, v0.22.6 L176-L191).

The count is PyO3's own per-thread counter, not CPython's GIL state: `holds_gil` tracks the
latter (`PyGILState_Ensure`/`Release`, `PyEval_SaveThread`/`RestoreThread`).

Simplification: the interpreter is always initialised (no `auto-initialize` paths, no
`__traverse__` with GIL_COUNT -1). On a free-threaded build (`profile(free_threaded=True)`)
the counts are the same; attaching excludes no other thread, so there is no deadlock, and the
thread states and stop-the-world pauses are `free_threaded`'s.
"""

from __future__ import annotations

from . import errors, free_threaded, gilpool, reference_pool
from .events import E


def _check_deadlock(r, op):
    """A thread blocked in a thread block still holds what it held; a GIL it holds is lost.
    A free-threaded build has no GIL to lose: several threads are attached at once, unless a
    module that uses the GIL turned it back on (`free_threaded.module_init`)."""
    if r.ft is not None and not r.ft.gil_enabled:
        return
    m, tid = r.m, r.cur.tid
    for t in r.waiting:
        if t != tid and m.threads[t].holds:
            raise errors.deadlock(m.threads[tid].name, m.threads[t].name)


def _attach_thread(r, op):
    """This thread takes the GIL (PyGILState_Ensure, or Python calling in): first the deadlock
    check, then, on a free-threaded build, the thread's state (which may stop the world)."""
    _check_deadlock(r, op)
    if r.ft is not None:
        free_threaded.ensure(r, op)
    r.m.set_holds(r.cur.tid, True)


def _detach_thread(r, op):
    """The free-threaded side of a thread giving its state back (nothing on a GIL build)."""
    if r.ft is not None:
        free_threaded.release(r, op)


def _assumed(r, op, tid, th):
    """0.22+: `GILGuard::Assumed` — count + 1, then a drain."""
    r.m.set_count(tid, th.count + 1)
    r.step(E.gil_assumed, op, th.count, -1, r.notes)
    reference_pool.drain_at(r, op, "nested_acquire")
    r.run_block(op, token=True)
    r.m.set_count(tid, th.count - 1)
    r.step(E.gil_assumed_end, op, th.count, -1)


def _unchecked(r, op, tid, th):
    """0.20/0.21: `acquire_unchecked` returns None: no pool, no count, no drain."""
    r.step(E.gil_nested, op, th.count, -1, r.notes)
    r.run_block(op, token=True)
    r.step(E.gil_nested_end, op, th.count, -1)


def _acquire_nested(r, op, tid, th):
    """`with_gil` on a thread whose count is already above 0."""
    r.enter_frame(op, token=True)
    (_assumed if r.prof.nested_guard_counts else _unchecked)(r, op, tid, th)
    r.finish_block(op)


def _ensure_enter(r, op, tid, th, dep):
    """The first guard on this thread: count + 1 and a pool mark where there is a pool, then
    a drain (in 0.20/0.21 the new GILPool does both)."""
    m, prof = r.m, r.prof
    if prof.pool_counts_gil:
        gilpool.pool_new(r, op, E.gil_ensure, dep)
        return
    m.set_count(tid, th.count + 1)
    if prof.owned_pool:
        m.mark_push(tid, th.owned.n)
    r.step(E.gil_ensure, op, th.owned.n if prof.owned_pool else -1, th.count, dep)
    reference_pool.drain_at(r, op, "acquire")


def _ensure_exit(r, op, tid, th):
    """The guard's drop: the owned pool first (where there is one), then PyGILState_Release."""
    m, prof = r.m, r.prof
    if prof.pool_counts_gil or prof.owned_pool:
        gilpool.pool_drop(r, op, E.pool_drop, {"inside": prof.acquire_name})
    m.set_holds(tid, False)
    if not prof.pool_counts_gil:
        m.set_count(tid, th.count - 1)  # in 0.20/0.21 the pool's drop counted down
    r.step(E.gil_release, op, -1, th.count, {"released": True})


def acquire(r, op):
    """`Python::with_gil` / `Python::attach`: Ensured when the count is 0, else nested."""
    tid = r.cur.tid
    th = r.m.threads[tid]
    if th.count > 0:
        _acquire_nested(r, op, tid, th)
        return
    _attach_thread(r, op)  # PyGILState_Ensure
    dep = r.notes
    r.enter_frame(op, token=True)
    _ensure_enter(r, op, tid, th, dep)
    r.run_block(op, token=True)
    _ensure_exit(r, op, tid, th)
    _detach_thread(r, op)
    r.finish_block(op)


def suspend(r, op):
    """`py.allow_threads(|| ...)` / `py.detach(|| ...)`: count saved and set to 0, GIL released."""
    m, tid = r.m, r.cur.tid
    errors.need_token(r, f"py.{'detach' if r.prof.attach_names else 'allow_threads'}(...)")
    th = m.threads[tid]
    saved = th.count
    r.enter_frame(op, token=False, region=True)
    m.set_count(tid, 0)
    m.set_holds(tid, False)  # PyEval_SaveThread
    r.step(E.allow_enter, op, saved, 0, r.notes)
    r.run_block(op, token=False, region=True)
    m.set_count(tid, saved)
    _check_deadlock(r, op)
    m.set_holds(tid, True)  # PyEval_RestoreThread
    r.step(E.allow_exit, op, saved, -1)
    reference_pool.drain_at(r, op, "suspend_exit")
    r.finish_block(op)


def _check_pyfunction_call(r):
    """Python code can call a #[pyfunction] only where this code holds the GIL."""
    if r.cur.token is None and r.cur.block is not None:
        raise errors.compile_error(
            "calling into Python (here: a #[pyfunction], through Python code) needs the GIL, "
            "and this code has given it up or never had it. Fix: call it inside "
            "`Python::with_gil` (0.26+: `Python::attach`).", "E0425")


def _trampoline_enter(r, op, tid, th):
    if r.prof.trampoline_pool:
        gilpool.pool_new(r, op, E.trampoline_enter)
        return
    r.m.set_count(tid, th.count + 1)
    r.step(E.trampoline_enter, op, -1, th.count)
    reference_pool.drain_at(r, op, "trampoline")


def _trampoline_exit(r, op, tid, th):
    if r.prof.trampoline_pool:
        gilpool.pool_drop(r, op, E.trampoline_exit)
        return
    r.m.set_count(tid, th.count - 1)
    r.step(E.trampoline_exit, op, -1, th.count)


def trampoline(r, op):
    """A `#[pyfunction]` called from Python: 0.20/0.21 open a GILPool, 0.22+ an assumed guard."""
    tid = r.cur.tid
    th = r.m.threads[tid]
    _check_pyfunction_call(r)
    held = th.holds
    if not held:
        _attach_thread(r, op)  # Python is running on this thread, so it holds the GIL
    r.enter_frame(op, token=True)
    _trampoline_enter(r, op, tid, th)
    result = r.run_block(op, token=True, convert_result=True)
    _trampoline_exit(r, op, tid, th)
    if not held:
        r.m.set_holds(tid, False)
    r.python_receives(op, result)
    if not held:
        _detach_thread(r, op)  # after Python took the result, as in the witness


def dealloc_trampoline(r, oid, op):
    """PyO3's `tp_dealloc` for a `#[pyclass]`: a pool (0.20/0.21) or assumed guard (0.22+)
    around the Rust drop, which drains POOL. With nothing to drain it changes nothing
    visible, so no step is shown."""
    if not reference_pool.has_pending(r):
        return
    m, tid = r.m, r.cur.tid
    th = m.threads[tid]
    extra = {"freed": oid}
    if r.prof.pool_counts_gil:
        gilpool.pool_new(r, op, E.dealloc_enter, extra)
        gilpool.pool_drop(r, op, E.dealloc_exit, extra)
        return
    m.set_count(tid, th.count + 1)
    r.step(E.dealloc_enter, op, -1, th.count, extra)
    reference_pool.drain_at(r, op, "dealloc")
    m.set_count(tid, th.count - 1)
    r.step(E.dealloc_exit, op, -1, th.count, extra)
