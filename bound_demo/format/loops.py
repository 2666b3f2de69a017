"""Which `repeat` loops the model may write in bulk (store/fastforward.py), as a property of
the program alone: the format's cost estimate (program.py) and the fast path ask the same
question here, so the caps and the run agree on what runs op by op."""

from __future__ import annotations

MIN_TIMES = 16  # shorter loops are not worth the warm-up
WARMUP = 8  # iterations run op by op, at most, looking for the pattern


# Ops whose state changes (pyclass fields, borrows, collections) `fastforward` does not
# write in bulk: a loop holding one runs op by op.
_NOT_BULK = frozenset(("repeat", "py_del", "set_field", "take_field", "clear_field",
                       "gc_collect", "borrow", "borrow_mut", "try_borrow", "try_borrow_mut",
                       "guard", "guard_mut"))


def eligible(op):
    """Whether a repeat body only names handles it introduces (and has no nested loop)."""
    return _closed(op.body, [])


def _closed(ops, outer):
    scope = set()
    scopes = outer + [scope]
    for op in ops:
        if op.kind in _NOT_BULK or "class" in op.d:
            return False
        names = [op.d[k] for k in ("src", "item") if k in op.d] + list(op.d.get("items") or ())
        if any(not any(n in s for s in scopes) for n in names):
            return False
        if op.body and not _closed(op.body, scopes):
            return False
        if "as" in op.d and op.kind != "pyfunction":
            scope.add(op.d["as"])
    return True
