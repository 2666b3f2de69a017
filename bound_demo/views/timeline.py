"""Lining up several traces of one program (one per release) for a lockstep player.

Releases take different numbers of steps for the same program (0.20 drains a
queue that 0.23 never fills; a compile error stops one release early). Steps are
matched by the op they stand for: the n-th step of op ``ops[2].body[0]`` in one
trace corresponds to the n-th step of that op in another. The merged timeline
holds every step of every trace in an order compatible with each; at each
position a trace shows its most recent step so far.
"""
from __future__ import annotations

from difflib import SequenceMatcher
from functools import reduce


def step_keys(trace) -> list:
    seen: dict = {}
    keys = []
    for step in trace.steps:
        n = seen.get(step.op_path, 0)
        seen[step.op_path] = n + 1
        keys.append((step.op_path, n))
    return keys


def _merge(a: list, b: list) -> list:
    out = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        out += a[i1:i2]
        if tag in ("replace", "insert"):
            out += b[j1:j2]
    return out


def align(traces) -> list:
    """A list of tuples: for each timeline position, the step index shown by each trace (a
    single trace is its own timeline: its steps in order)."""
    keys = [step_keys(t) for t in traces]
    merged = reduce(_merge, keys)
    return list(zip(*(_column(k, merged) for k in keys)))


def _column(keys: list, merged: list) -> list:
    """For each merged position, the index of the trace's most recent step so far."""
    ptr, shown, col = 0, 0, []
    for key in merged:
        if ptr < len(keys) and keys[ptr] == key:
            shown = ptr
            ptr += 1
        col.append(shown)
    return col
