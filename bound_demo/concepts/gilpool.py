"""The owned-object pool: `OWNED_OBJECTS`, `GILPool`, `register_owned`, `new_pool`, `with_pool`.

Mirrors src/gil.rs of v0.20.3 (L27-L44, `GILPool::new` L378-L395, `Drop for GILPool`
L404-L428, `register_owned` L466-L478), identical in v0.21.2, and v0.22.6 with feature
`gil-refs` (L420-L473), where the pool no longer touches `GIL_COUNT` (PR #4188). Removed in
0.23. A pool is only a watermark: `start = len(OWNED_OBJECTS)` when it is created; its drop
takes every entry from `start` on off the vector *first*, then decrefs them oldest first.
Creating a pool drains the reference pool; dropping one does not.
"""

from __future__ import annotations

from . import errors, heap, reference_pool
from ..store import fastforward
from .events import E


def register_owned(r, oid):
    """`register_owned`: the pool takes over a reference the caller owns (no refcount change)."""
    r.m.pool_push(r.cur.tid, oid)


def pool_new(r, op, event, extra=None):
    """`GILPool::new`: [0.20/0.21: GIL_COUNT += 1], drain POOL, record the watermark."""
    m, tid = r.m, r.cur.tid
    th = m.threads[tid]
    if r.prof.pool_counts_gil:
        m.set_count(tid, th.count + 1)
    m.mark_push(tid, th.owned.n)
    r.step(event, op, th.owned.n, th.count, extra)
    reference_pool.drain_at(r, op, "pool_new")


def pool_drop(r, op, event, extra=None):
    """`Drop for GILPool`: split off the entries past the watermark, decref them FIFO."""
    m, tid = r.m, r.cur.tid
    th = m.threads[tid]
    objs = m.pool_release(tid, th.marks[-1])
    _decref_all(r, op, tid, objs)
    m.mark_pop(tid)
    if r.prof.pool_counts_gil:
        m.set_count(tid, th.count - 1)
    r.step(event, op, len(objs), th.count, extra)


def _decref_all(r, op, tid, objs):
    """Decref the released entries oldest first. The first always goes the general way (its
    step names how many there are); after each entry that went the general way, as many as
    possible go in bulk (`_plain_decrefs`) when fast-forwarding is on."""
    bulk = op is not None and fastforward.ENABLED
    n, i = len(objs), 0
    while i < n:
        r.m.released(tid)
        heap.decref(r, objs[i], E.pool_decref, op, None if i else {"first": n})
        i += 1
        if bulk and i < n:
            i += _plain_decrefs(r, op, tid, objs, i)


def _plain_decrefs(r, op, tid, objs, i):
    """The same steps as `released` + `heap.decref` for each entry from `i` on, done in bulk,
    up to the first entry whose decref would free an object with something to show at its
    dealloc (a container's items, a trampoline that drains POOL) or find it freed already.
    A pool of a million GIL refs is mostly such plain decrefs. Returns how many it did."""
    m = r.m
    # Freeing a plain object is only plain while POOL is empty: otherwise its dealloc
    # trampoline drains POOL, which the general path shows.
    # So is freeing a pyclass instance with fields (issue 13): they drop with it.
    may_free = not (m.pinc.n or m.pdec.n or m.pyc[1])
    meta = r.store.step_meta(E.pool_decref, op)
    total, full = 0, True
    while full and i < len(objs):
        k, full = _plain_chunk(r, meta, tid, objs, i, may_free)
        total += k
        i += k
    return total


def _plain_chunk(r, meta, tid, objs, i, may_free):
    """Plain decrefs from entry i on, up to the next checkpoint, recorded as steps. Returns
    how many it did and whether it reached the checkpoint (so that more may follow)."""
    m = r.m
    stop = min(len(objs), i + r.store.steps_before_checkpoint())
    end = m.log_len()
    counts = m.released_decrefs(tid, objs, i, stop, may_free)
    k = len(counts)
    if k:
        # Each entry is two deltas (`released`, the refcount) and one step.
        r.store.add_steps(meta, objs[i:i + k], counts, range(end + 2, end + 2 * k + 1, 2))
    return k, bool(k) and i + k == stop


def new_pool(r, op):
    """`unsafe { py.new_pool() }` / `py.with_pool(|py| ...)`: a pool around the body.

    `with_pool` takes a closure that must be `Ungil` (v0.20.3:src/marker.rs L1032-L1042), so,
    unlike the body after `new_pool`, it cannot use the GIL refs and Bounds of the code
    around it: its body is a region of its own (checked against real PyO3 0.21.2)."""
    errors.need_token(r, f"py.{op.kind}()")  # both are methods on a `Python<'py>` token
    closure = op.kind == "with_pool"
    r.enter_frame(op, token=True, region=closure)
    pool_new(r, op, E.pool_new, r.notes)
    r.run_block(op, token=True, region=closure)
    pool_drop(r, op, E.pool_drop)
    r.finish_block(op)
