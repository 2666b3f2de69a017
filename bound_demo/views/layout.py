"""What a frame reserves room for, so the picture stays still from step to step.

A ``Universe`` lists every object, thread, handle name, Python variable and queue
slot that a frame must draw or keep empty room for. Built from a whole trace, it
is the same for every frame of that trace: every node id appears in every frame,
in the same order, and grows nowhere. Built from one state (no trace given), it
simply covers that state.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
import threading

from .access import extra, extra_len, owned_len, states

# Beyond this many cells a strip shows its first and last CAP entries around a
# "… k more …" cell, so a huge pool cannot make a frame unreadable or slow to lay out.
POOL_CAP = 6      # pool entries shown at each end of a thread's strip
QUEUE_CAP = 6     # pending increfs/decrefs shown at each end of the queue
SLOT_CAP = 2      # container slots shown at each end of an object
OBJECT_CAP = 40   # heap objects shown in all (half at each end of creation order)
HANDLE_CAP = 20   # handle rows shown at each end of a thread's table


@dataclass
class Universe:
    objects: list = field(default_factory=list)
    threads: list = field(default_factory=list)
    handles: dict = field(default_factory=dict)      # thread -> [handle names]
    pool_cols: dict = field(default_factory=dict)    # thread -> reserved pool columns
    slots: dict = field(default_factory=dict)        # oid -> reserved container slots
    increfs: int = 0
    decrefs: int = 0
    py_vars: list = field(default_factory=list)
    ever_increfs: bool = False
    # Optional holders of references in transit (see access.py); 0 = never seen.
    releasing: dict = field(default_factory=dict)    # thread -> max entries being released
    draining_increfs: int = 0
    draining_decrefs: int = 0
    in_flight: int = 0
    leaked: int = 0
    # Membership sets beside the ordered lists, so widening stays linear in the trace.
    _seen: dict = field(default_factory=dict, compare=False, repr=False)

    def add_state(self, st, objects=None) -> None:
        """Widen the universe so it also covers ``st``.

        ``objects`` limits which objects are inspected (a step's touched objects:
        the only ones whose items can have changed); None inspects them all.
        """
        inspected = _inspected(st, objects)
        self._add("objects", self.objects, inspected)
        for oid in inspected:
            _grow(self.slots, oid, len(st.objects[oid].items))
        self._add_threads(st)
        self._add("py_vars", self.py_vars, st.py_vars.keys())
        self.ever_increfs = self.ever_increfs or bool(st.pending_increfs)
        for attr, n in _lengths(st).items():
            setattr(self, attr, max(getattr(self, attr), n))

    def _add_threads(self, st) -> None:
        """Threads with their pool widths, and the handle names of each thread."""
        self._add("threads", self.threads, st.threads.keys())
        for name, th in st.threads.items():
            _grow(self.releasing, name, extra_len(th, "releasing"))
            _grow(self.pool_cols, name, pool_width(th))
        for h in st.handles.values():
            thread = thread_of(h, _first(st.threads))
            self._add("threads", self.threads, [thread])
            self._add(("handles", thread), self.handles.setdefault(thread, []), [h.name])

    def _add(self, key, ordered: list, names) -> None:
        """Append names not yet present, keeping first-seen order (a set alone would lose it)."""
        seen = _members(self._seen, key, ordered)
        for n in names:
            if n not in seen:
                ordered.append(n)
                seen.add(n)


# Universe fields named after the optional state holders (access.extra) whose longest length
# they keep.
_EXTRA_ROWS = ("draining_increfs", "draining_decrefs", "in_flight", "leaked")


def _inspected(st, objects):
    """The objects of ``st`` to inspect: all of them, or those of ``objects`` it has."""
    return st.objects.keys() if objects is None else [o for o in objects if o in st.objects]


def _lengths(st) -> dict:
    """Universe field -> the length in ``st`` of the queue or holder that field keeps the
    longest of."""
    return {"increfs": len(st.pending_increfs), "decrefs": len(st.pending_decrefs),
            **{attr: len(extra(st, attr)) for attr in _EXTRA_ROWS}}


def pool_width(th) -> int:
    """The columns a thread's pool strip needs: its entries, or more where a pool mark points
    one past the last entry (a GILPool opened on an empty pool)."""
    return max([owned_len(th)] + [m + 1 for m in th.pool_marks])


def thread_of(h, default):
    """The thread a handle belongs to; a handle that names none belongs to ``default``."""
    return default if h.thread is None else h.thread


def _members(sets: dict, key, ordered: list) -> set:
    """The membership set kept under ``key`` beside the list ``ordered``, made again when the
    list was replaced or changed without it (``_in_final_order`` reorders the objects)."""
    seen = sets.get(key)
    if seen is None or len(seen) != len(ordered):
        seen = sets[key] = set(ordered)
    return seen


def _grow(widths: dict, key, n: int) -> None:
    """Keep the largest width seen for ``key``."""
    widths[key] = max(widths.get(key, 0), n)


def _first(mapping):
    return next(iter(mapping), "main")


def of_state(st) -> Universe:
    u = Universe()
    u.add_state(st)
    return u


# Building a universe reads every step once; a small cache keyed by the trace object
# keeps ``draw_step(step, trace=t)`` linear over a whole trace instead of quadratic.
_cache: "OrderedDict[int, tuple]" = OrderedDict()
_lock = threading.Lock()
_CACHE_SIZE = 16


def of_trace(trace) -> Universe:
    key = id(trace)
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] is trace:
            _cache.move_to_end(key)
            return hit[1]
    u = _of_steps(trace)
    with _lock:
        _cache[key] = (trace, u)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return u


def _of_steps(trace) -> Universe:
    """The universe of a whole trace, read once, step by step."""
    u = Universe()
    # Objects only change when a step touches them, so after the first step only
    # touched objects are read; the final state then adds any object never touched.
    for i, step, st in states(trace):
        touched = (getattr(step, "touched", None) or {}).get("objects")
        u.add_state(st, objects=None if i == 0 else touched)
    if len(trace.steps):
        _in_final_order(u, trace.steps[-1].state.objects)
    return u


def _in_final_order(u: Universe, final_objects) -> None:
    """Put the objects in the final state's (creation) order, freed objects included, with
    the objects no step touched added; objects only earlier states had go last."""
    final = list(final_objects)
    missing = set(final) - set(u.objects)
    if missing or u.objects != final[:len(u.objects)]:
        u.objects = final + [o for o in u.objects if o not in set(final)]
        for oid in missing:
            _grow(u.slots, oid, len(final_objects[oid].items))


def capped(items: list, cap: int):
    """Split a list into (head, hidden count, tail) showing at most 2*cap entries."""
    if len(items) <= 2 * cap + 1:
        return list(items), 0, []
    return list(items[:cap]), len(items) - 2 * cap, list(items[-cap:])


def shown_part(items: list, cap: int) -> list:
    """The entries of a capped list that are drawn: its head, then its tail."""
    head, _, tail = capped(items, cap)
    return head + tail
