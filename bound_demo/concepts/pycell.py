"""The borrow flag of a `#[pyclass]` instance: `PyRef` / `PyRefMut` and, from 0.26,
`PyClassGuard` / `PyClassGuardMut` (issue 13).

Mirrors PyO3's `src/pycell.rs` (0.20.3: `PyRef { inner: &PyCell<T> }`, no incref; 0.21.2 on:
`PyRef { inner: Bound<T> }` built from a clone, +1 while held; the `expect("Already
borrowed")` / `expect("Already mutably borrowed")` of `borrow` / `borrow_mut` and the Display
texts of `PyBorrowError` / `PyBorrowMutError`), `src/pycell/impl_.rs` (the borrow checker:
a shared count, or exclusive) and `src/pyclass/guard.rs` (0.26.0 – 0.30.1: a guard holds a
`NonNull` pointer and never increfs; extracting one goes through `try_borrow`). A guard and a
`PyRef` share one flag. The release rows (`pyref_owns_bound`, `pyclass_guard`) live in
`versions.py`; the conflict texts were observed on real builds (docs/design/pyclass-gc.md).

Simplification: the "Already borrowed" panic is reported as the panic itself; PyO3 turns a
panic that reaches Python into `PanicException`, which the trace names in the message.
"""

from __future__ import annotations

from . import errors, heap
from .events import E
from ..store.names import K

EXCLUSIVE = -1
# op -> (handle kind, wants exclusive, conflict is a panic (else an exception), is a guard)
OPS = {
    "borrow": (K.PYREF, False, True, False),
    "borrow_mut": (K.PYREFMUT, True, True, False),
    "try_borrow": (K.PYREF, False, False, False),
    "try_borrow_mut": (K.PYREFMUT, True, False, False),
    "guard": (K.GUARD, False, False, True),
    "guard_mut": (K.GUARD_MUT, True, False, True),
}
BORROW_KINDS = frozenset((K.PYREF, K.PYREFMUT, K.GUARD, K.GUARD_MUT))
# (wants exclusive, held exclusive) -> the error's Display text and its Debug name
_TEXTS = {
    (False, True): ("Already mutably borrowed", "PyBorrowError"),
    (True, True): ("Already borrowed", "PyBorrowMutError"),
    (True, False): ("Already borrowed", "PyBorrowMutError"),
}


def _conflict(flag, exclusive):
    return flag == EXCLUSIVE or (exclusive and flag > 0)


def _error(op, panics, exclusive, flag):
    text, debug = _TEXTS[(exclusive, flag == EXCLUSIVE)]
    if panics:
        return errors.RustError(
            "panic", f"{text}: {debug} (`{op.d['src']}.{op.kind}()` while another borrow is "
                     "held; Python sees PanicException). Fix: drop the other borrow first, or "
                     f"use `try_{op.kind}()` and handle the error")
    return errors.RustError(
        "exception", f"RuntimeError: {text} (`{debug}` from `{op.kind}`). Fix: drop the other "
                     "borrow first")


def _absent(op):
    """The error rustc gives the op's Rust line (`a.extract::<PyClassGuard<'_, T>>()`, the bare
    name in a turbofish) before 0.26, pinned in witness/compile_fail/pyo3_025: E0425 (rustc's
    code for that position, though the text says "type"). Importing the type first
    (`use pyo3::PyClassGuard;` or `use pyo3::pyclass::PyClassGuard;`) fails at the `use`
    instead, with E0432."""
    name = "PyClassGuardMut" if op.kind == "guard_mut" else "PyClassGuard"
    return errors.compile_error(f"cannot find type `{name}` in this scope (it arrived in PyO3 "
                                f"0.26; `use pyo3::{name};` fails with E0432, unresolved import). "
                                "Fix: use `borrow()` / `borrow_mut()` (`PyRef` / `PyRefMut`)",
                                "E0425")


def _source(r, op):
    from . import instance
    h = instance.use(r, op, op.d["src"])
    instance.need_token(r, f"`{op.kind}()` on a #[pyclass]")
    oid = instance._obj(r, h, op)
    if r.m.types[oid]:
        raise errors.compile_error(f"no method `{op.kind}` on `{h.name}`: it is not a "
                                   "#[pyclass] instance", "E0599")
    return h, oid


def op_borrow(r, op):
    """Any of the six borrow ops (see `OPS`)."""
    kind, exclusive, panics, guard = OPS[op.kind]
    if guard and not r.prof.pyclass_guard:
        raise _absent(op)
    h, oid = _source(r, op)
    flag = r.m.pyc[2].get(oid, 0)
    if _conflict(flag, exclusive):
        raise _error(op, panics, exclusive, flag)
    new = EXCLUSIVE if exclusive else flag + 1
    r.m.set_borrow(oid, new)
    owns = not guard and r.prof.pyref_owns_bound
    b = r.introduce(op.d["as"], kind, oid, owns, h if guard else None)
    _show_borrow(r, op, b, new)


def _show_borrow(r, op, b, flag):
    extra = {"name": b.name, "flag": "exclusive" if flag == EXCLUSIVE else flag}
    if b.owns:
        heap.incref(r, b.oid, E.borrow, op, extra)  # the cloned `Bound` inside the PyRef
    else:
        r.step(E.borrow, op, b.oid, -1, extra)


def release(r, h, op, implicit):
    """Dropping a borrow handle: the flag goes back; a `PyRef` of 0.21+ drops its `Bound`."""
    from ..store.names import S
    m, oid = r.m, h.oid
    flag = m.pyc[2].get(oid, 0)
    m.set_borrow(oid, 0 if flag == EXCLUSIVE else max(flag - 1, 0))
    h.status, h.moved_at = S.DROPPED, op.path if op else None
    r.publish(h)
    extra = {"name": h.name, "implicit": implicit}
    if h.owns:
        heap.decref(r, oid, E.borrow_release, op, extra)
    else:
        r.step(E.borrow_release, op, oid, -1, extra)
