"""Which `repeat` loops the model may write in bulk (store/fastforward.py), as a property of
the program alone: the format's cost estimate (program.py) and the fast path ask the same
question here, so the caps and the run agree on what runs op by op."""

from __future__ import annotations

from .program import BORROW_OPS, FIELD_OPS

MIN_TIMES = 16  # shorter loops are not worth the warm-up
WARMUP = 8  # iterations run op by op, at most, looking for the pattern


def eligible(op):
    """Whether a repeat body only names handles it introduces (and has no nested loop)."""
    return _closed(op.body, [])


# Ops that never run in bulk: a nested loop, a `py_del` (it reaches a Python variable that
# outlives the iteration), and the ops whose state changes (pyclass fields, borrows,
# collections) `fastforward` does not write in bulk: a loop holding one runs op by op.
_NEVER_BULK = frozenset(("repeat", "py_del", "gc_collect") + FIELD_OPS + BORROW_OPS)


def _names(op):
    """The handles an op reads."""
    return [op.d[k] for k in ("src", "item") if k in op.d] + list(op.d.get("items") or ())


def _in_scope(name, scopes):
    return any(name in s for s in scopes)


def _op_closed(op, scopes):
    """Whether one op (and its body) names only handles in `scopes` and may run in bulk."""
    if op.kind in _NEVER_BULK or "class" in op.d:
        return False
    if not all(_in_scope(n, scopes) for n in _names(op)):
        return False
    return not op.body or _closed(op.body, scopes)


def _closed(ops, outer):
    scope = set()
    scopes = outer + [scope]
    for op in ops:
        if not _op_closed(op, scopes):
            return False
        if "as" in op.d and op.kind != "pyfunction":  # a pyfunction's `as` is a Python variable
            scope.add(op.d["as"])
    return True
