"""Reading a state cheaply and tolerantly.

state-api.md promises lists (``thread.owned`` etc.). The model's states also
offer cheaper reads (``owned_len``, ``owned_slice``) and a few extra holders of
strong references that are in transit: entries a dropping GILPool has split off
(``thread.releasing``), queue entries being drained (``draining_increfs`` /
``draining_decrefs``), references travelling out of a block (``in_flight``) and
references given up on purpose (``leaked``). Views use them when present and
fall back to the documented fields, so fakes and older traces still work.
"""
from __future__ import annotations


def owned_len(th) -> int:
    n = getattr(th, "owned_len", None)
    return n if isinstance(n, int) else len(th.owned)


def owned_part(th, start: int, stop: int) -> list:
    """Entries start..stop-1 of a thread's pool without building the whole list."""
    part = getattr(th, "owned_slice", None)
    if callable(part):
        return list(part(start, stop))
    return list(th.owned[start:stop])


def extra(obj, name: str) -> list:
    """An optional list attribute (empty when the state does not have it)."""
    try:
        value = getattr(obj, name, None)
    except Exception:  # A lazily computed extra must never break a picture.
        return []
    return list(value or ())


def states(trace):
    """(index, step, state) for every step, by the cheapest route the trace offers.

    The model's ``trace.iter_states()`` replays its delta log once, forward;
    ``step.state`` for each step would rebuild every state from a checkpoint.
    """
    steps = trace.steps
    it = getattr(trace, "iter_states", None)
    if callable(it):
        for i, st in it():
            yield i, steps[i], st
    else:
        for i, step in enumerate(steps):
            yield i, step, step.state


def extra_len(obj, name: str) -> int:
    """Length of an optional list attribute, through ``<name>_len`` when the state has it."""
    n = getattr(obj, f"{name}_len", None)
    return n if isinstance(n, int) else len(extra(obj, name))
