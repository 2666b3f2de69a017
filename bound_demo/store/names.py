"""The closed sets of names the state records: object types, handle kinds, handle statuses.

Each is a `StrEnum`, so a member equals (and serialises as) its plain string, the spelling
the program and trace formats use; the state stores a member as its position in the enum
(`code`), a small int that packs into a delta or a handle record. The order of members is
therefore part of the stored format: append, never reorder.
"""

from __future__ import annotations

from enum import StrEnum
from types import SimpleNamespace


class _Coded(StrEnum):
    @property
    def code(self) -> int:
        return _CODES[type(self)][self]

    @classmethod
    def of(cls, code: int):
        """The member stored as `code`."""
        return _MEMBERS[cls][code]


class ObjType(_Coded):
    """A Python object's type as the model knows it (heap.py: only containers hold slots)."""

    OBJECT = "object"  # a #[pyclass] instance or any other object without slots
    LIST = "list"
    DICT = "dict"
    TUPLE = "tuple"


class Kind(_Coded):
    """What a Rust handle is."""

    GIL_REF = "gil_ref"  # `&'py PyAny` and friends, owned by the thread's GILPool
    BOUND = "bound"  # `Bound<'py, T>`: owns a reference
    BORROWED = "borrowed"  # `Borrowed<'a, 'py, T>`
    BOUND_REF = "bound_ref"  # `&Bound<'py, T>`
    PY = "py"  # `Py<T>`: owns a reference, not tied to the GIL
    PYTHON = "python"  # a `Python<'py>` token
    # Issue 13: a pyclass's runtime borrows. PyRef/PyRefMut own a reference from 0.21.
    PYREF = "pyref"  # `PyRef<'py, T>`
    PYREFMUT = "pyrefmut"  # `PyRefMut<'py, T>`
    GUARD = "guard"  # `PyClassGuard<'a, T>` (0.26+): a borrowed pointer, never owns
    GUARD_MUT = "guard_mut"  # `PyClassGuardMut<'a, T>`


class Status(_Coded):
    """Whether a handle still holds its value."""

    LIVE = "live"
    MOVED = "moved"
    DROPPED = "dropped"


_MEMBERS = {cls: tuple(cls) for cls in (ObjType, Kind, Status)}
_CODES = {cls: {m: i for i, m in enumerate(ms)} for cls, ms in _MEMBERS.items()}

# Kinds that are `Copy` in Rust (a copy owns nothing) and kinds that are `Send`.
COPY_KINDS = frozenset((Kind.GIL_REF, Kind.BORROWED, Kind.BOUND_REF, Kind.PYTHON))
SEND_KINDS = frozenset((Kind.PY,))


def plain(enum):
    """The enum's members as plain strings, by member name (`plain(Kind).PY == "py"`).

    The interpreter compares and stores handle kinds and statuses on every op; an enum
    member costs a descriptor lookup (~0.2 µs) each time it is named and a Python-level
    `__hash__` each time it keys a dict, a plain string neither. Hot code names the members
    through these namespaces: the same closed set, the same values."""
    return SimpleNamespace(**{m.name: m.value for m in enum})


K = plain(Kind)
S = plain(Status)
T = plain(ObjType)
COPY_KINDS = frozenset(k.value for k in COPY_KINDS)
SEND_KINDS = frozenset(k.value for k in SEND_KINDS)
