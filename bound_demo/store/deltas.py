"""Delta records: how one change of the machine state is packed into one int. Bookkeeping of
the trace store, not PyO3.

A delta is `code | a << A_SHIFT | b << B_SHIFT`: a 5-bit code saying which primitive of
`state.Machine` made the change, and up to two non-negative operands (`a`: 29 bits, `b`: the
rest). Packing into ints, not tuples, keeps a log of millions of deltas compact and invisible
to the cyclic collector. This module is the only place that knows the layout: everything
else encodes with `encode` (or, on the few hot paths that write one delta per refcount
change, with `A_SHIFT` / `B_SHIFT` inline) and decodes with `decode`, `code_of`, `a_of` and
`b_of`.
"""

from __future__ import annotations

# Delta codes, one per state primitive (6 is unused: it belonged to a primitive since removed,
# and renumbering would change every stored log).
(D_NEWOBJ, D_RC, D_ITEM, D_ITEMS_CLEAR, D_PUSH, _D_UNUSED, D_MARK, D_UNMARK, D_COUNT,
 D_HOLDS, D_PINC, D_PDEC, D_PCLEAR, D_HSET, D_HDEL, D_PYVAR, D_THREAD, D_POOLINIT,
 D_FLIGHT, D_LAND, D_LEAK, D_RELEASE, D_RELEASED, D_DRAINED, D_SIDE, D_CLASS, D_FIELD,
 D_BORROW, D_GC) = range(1, 30)
# D_FIELD's operand b packs the field's index (FIELD_BITS) and the object it holds + 1.
FIELD_BITS = 5

CODE_MASK = 31
A_SHIFT = 5
B_SHIFT = 34
A_MASK = (1 << (B_SHIFT - A_SHIFT)) - 1
# GIL counts may be negative (-1 during `__traverse__`), operands may not: counts are stored
# with this bias added.
COUNT_BIAS = 1 << 20

# Deltas that change an object (its operand `a` is the object id) and deltas that change a
# thread (operand `a` is the thread id).
OBJECT_CODES = frozenset((D_NEWOBJ, D_RC, D_ITEM, D_ITEMS_CLEAR))
THREAD_CODES = frozenset((D_PUSH, D_RELEASE, D_RELEASED, D_MARK, D_UNMARK, D_COUNT, D_HOLDS,
                          D_THREAD))
PENDING_CODES = frozenset((D_PINC, D_PDEC))


def encode(code, a=0, b=0):
    """The packed delta for `code` with operands a and b."""
    return code | a << A_SHIFT | b << B_SHIFT


def decode(d):
    """(code, a, b) of a packed delta."""
    return d & CODE_MASK, (d >> A_SHIFT) & A_MASK, d >> B_SHIFT


def code_of(d):
    return d & CODE_MASK


def a_of(d):
    return (d >> A_SHIFT) & A_MASK


def b_of(d):
    return d >> B_SHIFT
