"""The global reference pool `POOL`: refcount changes deferred until a thread holds the GIL.

Mirrors `ReferencePool`, `register_incref`, `register_decref` and `update_counts` in
src/gil.rs (v0.20.3 L247-L291 and L438-L460, identical in v0.21.2; v0.22.6 L283-L323 and
L480-L514; v0.23.5 L252-L292) and `drop_deferred_references` in src/internal/state.rs
(v0.26.0 … v0.29.2; `ReferencePool` v0.30.1 L197-L281). What differs by release is read from the profile:

* 0.20/0.21 queue increfs *and* decrefs; a drain applies all increfs, then all decrefs.
* 0.22+ queue only decrefs (`Py::clone` without the GIL panics, with feature `py-clone`);
  `POOL` is created lazily by the first queued decref and a drain before that does nothing;
  in 0.29.3 the module's own import has already created it (`Profile.pool_made_by_import`).
* `--cfg pyo3_disable_reference_pool` removes `POOL`: a decref without the GIL aborts, or
  leaks with `--cfg pyo3_leak_on_drop_without_reference_pool` (0.22–0.29; in 0.30.1 that drop
  never returns, see `Profile.leak_drop_never_returns`).
* 0.30 (v0.30.1:src/internal/state.rs L197-L281): `POOL` is a plain static again, and a drain
  first reads a dirty flag, and only the thread whose `compare_exchange(true, false)` succeeds
  takes the queue.

Simplification: the dirty flag is not kept as state of its own. Threads here run one at a
time and only while attached can anything drain, so the flag is set exactly when decrefs wait
(its false positives need a second thread pushing while one drains); `update_counts` therefore
reads "nothing queued" for "flag clear" in every release.

Whether an operation is queued depends only on this thread's `GIL_COUNT > 0` (gil.rs L48-L57).
Where the queues are drained is one table per release, `versions.DRAIN_POINTS`: the rest of
the model calls `drain_at(r, op, point)` at each point, and this module looks the point up.
"""

from __future__ import annotations

from . import errors, heap
from .events import E


def register_incref(r, oid, op, extra):
    """`Py::clone` (0.20/0.21 `register_incref`; 0.22+ with `py-clone`)."""
    prof = r.prof
    if r.m.threads[r.cur.tid].count > 0:
        heap.incref(r, oid, E.clone, op, extra)
    elif prof.deferred_increfs:
        r.m.pend_incref(oid)
        r.step(E.clone, op, oid, -2, extra)  # b = -2: queued
    else:
        raise errors.py_clone_panic(prof.gil_word)


def register_decref(r, oid, op, event, extra):
    """`Drop for Py<T>`: a decref now if this thread counts the GIL as held, else queued."""
    prof, m = r.prof, r.m
    if m.threads[r.cur.tid].count > 0:
        heap.decref(r, oid, event, op, extra)
        return
    if not prof.reference_pool:
        _drop_without_pool(r, oid, op, event, extra)
        return
    if prof.lazy_reference_pool and not m.pool_init:
        m.init_reference_pool()
    m.pend_decref(oid)
    r.step(event, op, oid, -2, extra)


def _drop_without_pool(r, oid, op, event, extra):
    """A build without the reference pool: the reference leaks, or the process aborts."""
    if not r.prof.leak_without_pool:
        raise errors.abort_without_pool()
    r.m.leak(oid)
    r.step(event, op, oid, -3, dict(extra or {}, leaked=True))  # b = -3: leaked


def has_pending(r):
    """Whether POOL holds queued increfs or decrefs (a lazy POOL not yet created holds none)."""
    m = r.m
    if r.prof.lazy_reference_pool and not m.pool_init:
        return False
    return bool(m.pinc.n or m.pdec.n)


def drain_at(r, op, point):
    """Drain POOL as this release does at `point` of the model: the profile's drain table
    (`versions.DRAIN_POINTS`) says which PyO3 functions drain there, if any."""
    for where in r.prof.drains(point):
        update_counts(r, op, where)


def update_counts(r, op, where):
    """Drain `POOL`: take both queues out of the lock, apply increfs then decrefs, FIFO."""
    if not has_pending(r):
        return
    m = r.m
    inc, dec = m.pend_take()
    extra = {"where": where}
    for oid in inc:
        m.drained()
        heap.incref(r, oid, E.drain_incref, op, extra)
    for oid in dec:
        m.drained()
        heap.decref(r, oid, E.drain_decref, op, extra)
