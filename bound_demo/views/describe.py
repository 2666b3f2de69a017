"""A frame's text alternative: the state of one step in one sentence per part.

Screen readers get what the picture shows, read from the same state the frame is drawn
from: each thread (GIL or attach state, its counter, its pool), every live object with its
type and refcount (freed ones say so), the Rust handles, the reference pool's queue and the
Python variables. Long lists are cut like the frame cuts them ("… 94 more").
"""
from __future__ import annotations

from .access import extra, owned_len, owned_part
from .frame import _no_pool_note
from .labels import count_name, gil_words, kind_text

LIST_CAP = 12  # entries named per list before "… k more"


def _more(n: int, shown: int) -> str:
    """" … k more" when only ``shown`` of ``n`` entries are named, else nothing."""
    return f" … {n - shown} more" if n > shown else ""


def _some(items, cap: int = LIST_CAP) -> str:
    items = [str(i) for i in items]
    return " ".join(items[:cap]) + _more(len(items), cap)


def _pool_text(th) -> str:
    n = owned_len(th)
    if not n:
        return "pool empty"
    shown = owned_part(th, 0, min(n, LIST_CAP + 1))
    return f"pool: {' '.join(map(str, shown))}{_more(n, len(shown))}"


# The sentence for a thread's state, by the frame's word for it (gil_words).
_STATE_TEXT = {"holds GIL": "holds the GIL", "no GIL": "does not hold the GIL"}


def _thread_text(name, th, trace) -> str:
    held, free = gil_words(trace)
    state = _STATE_TEXT.get(held, "attached") if th.holds_gil else _STATE_TEXT.get(free, "detached")
    parts = [f"thread {name} {state}, {count_name(trace)} {th.gil_count}"]
    if _no_pool_note(trace) is None:
        parts.append(_pool_text(th))
    releasing = extra(th, "releasing")
    if releasing:
        parts.append(f"being released: {_some(releasing)}")
    return "; ".join(parts)


def _object_text(oid, ob) -> str:
    if not ob.alive:
        return f"{oid} {ob.type} freed"
    text = f"{oid} {ob.type} refcount {ob.refcount}"
    if ob.items:
        text += f" holding {_some(ob.items, 6)}"
    return text


def _handle_text(h) -> str:
    """A live handle: its name, its kind and the object it points to, if any."""
    return f"{h.name} {kind_text(h.kind)}" + (f" → {h.obj}" if h.obj else "")


def _handles_text(st) -> str:
    live = [_handle_text(h) for h in st.handles.values() if h.status == "live"]
    return f"handles: {', '.join(live[:8])}{_more(len(live), 8)}" if live else ""


def describe(state, trace=None) -> str:
    """The text alternative of the frame that draws ``state``."""
    parts = [_thread_text(n, th, trace) for n, th in state.threads.items()]
    parts += [_heap_text(state), _handles_text(state),
              _queue_text("pending increfs", state.pending_increfs),
              _queue_text("pending decrefs", state.pending_decrefs), _vars_text(state)]
    return "; ".join(p for p in parts if p) + "."


def _queue_text(label, queue) -> str:
    """One of the reference pool's queues, named; nothing when it is empty."""
    return f"{label}: {_some(queue)}" if queue else ""


def _heap_text(state) -> str:
    objects = [_object_text(oid, ob) for oid, ob in state.objects.items()]
    if not objects:
        return "heap empty"
    return "heap: " + ", ".join(objects[:LIST_CAP]) + _more(len(objects), LIST_CAP)


def _vars_text(state) -> str:
    if not state.py_vars:
        return ""
    return "Python variables: " + ", ".join(f"{k} → {v}" for k, v in state.py_vars.items())


def step_notes(trace, step, last: bool) -> list:
    """A step's notes, plus the run's error on the ``last`` step unless its caption says it
    already (a compile error usually is the last step's caption): both players show these."""
    notes = list(getattr(step, "notes", None) or [])
    err = getattr(trace, "error", None)
    if last and err is not None and err.message != getattr(step, "caption", None):
        notes.append(f"{err.kind} at {err.op_path}: {err.message}")
    return notes
