"""Read-only views of one frozen state: what `step.state`, `trace.at()` and `trace.final` return.

A `State` wraps a `Machine.snapshot()` and builds the small per-item records
(`ObjectState`, `ThreadState`, `HandleState`) only when asked, so that a state of a run
with a million objects costs nothing until a renderer reads from it.
"""

from __future__ import annotations

from collections.abc import Mapping

from .pvec import snap_get, snap_list
from .state import (KINDS, STATUSES, TYPES, handle_name_index, latest_record,
                    unpack_handle)


def oid_name(i: int) -> str:
    return f"o{i + 1}"


def oid_index(name: str) -> int:
    if not (isinstance(name, str) and name[:1] == "o" and name[1:].isdigit()):
        raise KeyError(name)
    return int(name[1:]) - 1


class _Record:
    __slots__ = ()

    def to_dict(self):
        return {k: getattr(self, k) for k in self._fields}

    def __eq__(self, other):
        return type(self) is type(other) and self.to_dict() == other.to_dict()

    def __repr__(self):
        body = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._fields)
        return f"{type(self).__name__}({body})"


class ObjectState(_Record):
    """A Python object: `.type`, `.refcount` (ob_refcnt), `.alive`, `.items` (container slots)."""

    __slots__ = ("id", "type", "refcount", "alive", "items")
    _fields = ("type", "refcount", "alive", "items")

    def __init__(self, id, type, refcount, alive, items):
        self.id, self.type, self.refcount, self.alive, self.items = id, type, refcount, alive, items


class PyClassObjectState(ObjectState):
    """An object in a trace whose program declares `classes` (issue 13): also `.cls` (the
    class name or None; `class` in JSON), `.fields` (field -> object id or None), `.borrow`
    (0, a shared count, or "exclusive") and `.gc_tracked`."""

    __slots__ = ("cls", "fields", "borrow", "gc_tracked")
    _fields = ("type", "refcount", "alive", "items", "class", "fields", "borrow", "gc_tracked")

    def __init__(self, id, type, refcount, alive, items, cls, fields, borrow, gc_tracked):
        super().__init__(id, type, refcount, alive, items)
        self.cls, self.fields, self.borrow, self.gc_tracked = cls, fields, borrow, gc_tracked

    def to_dict(self):
        d = super().to_dict()
        d["fields"] = dict(self.fields)
        return d

    def __getattr__(self, name):
        if name == "class":
            return self.cls
        raise AttributeError(name)


def _borrow_word(flag):
    return "exclusive" if flag < 0 else flag


class ThreadState(_Record):
    """One OS thread: `GIL_COUNT`, whether it holds the GIL, `OWNED_OBJECTS`, pool marks."""

    __slots__ = ("name", "gil_count", "holds_gil", "_owned", "pool_marks", "_rel", "_side")
    _fields = ("gil_count", "holds_gil", "owned", "pool_marks", "releasing")

    def __init__(self, name, gil_count, holds_gil, owned_snap, pool_marks, rel=(), side=()):
        self.name, self.gil_count, self.holds_gil = name, gil_count, holds_gil
        self._owned, self.pool_marks = owned_snap, list(pool_marks)
        self._rel, self._side = rel, side

    @property
    def releasing(self):
        """Entries a dropping GILPool has split off the pool and not yet decref'd."""
        return [oid_name(o) for idx, pos in self._rel for o in self._side[idx][pos:]]

    @property
    def releasing_len(self):
        return sum(len(self._side[idx]) - pos for idx, pos in self._rel)

    @property
    def owned(self):
        """Object ids in this thread's owned-object pool, oldest first."""
        return [oid_name(i) for i in snap_list(self._owned)] if self._owned[1] else []

    @property
    def owned_len(self):
        return self._owned[1]

    def owned_slice(self, start, stop):
        """Part of the pool without building the whole list (renderers of huge pools)."""
        return [oid_name(i) for i in snap_list(self._owned, start, stop)] if self._owned[1] else []


class HandleState(_Record):
    """A Rust variable holding a handle: `.kind`, `.obj`, `.thread`, `.status`, `.owns`, `.borrows`."""

    __slots__ = ("hid", "name", "kind", "obj", "thread", "status", "owns", "borrows")
    _fields = ("kind", "obj", "thread", "status", "owns", "borrows")

    def __init__(self, hid, name, kind, obj, thread, status, owns, borrows):
        self.hid, self.name, self.kind, self.obj = hid, name, kind, obj
        self.thread, self.status, self.owns, self.borrows = thread, status, owns, borrows


class _Objects(Mapping):
    __slots__ = ("_s",)

    def __init__(self, s):
        self._s = s

    def __len__(self):
        return self._s._snap[0]

    def __iter__(self):
        return (oid_name(i) for i in range(self._s._snap[0]))

    def __getitem__(self, key):
        i = oid_index(key)
        if not 0 <= i < self._s._snap[0]:
            raise KeyError(key)
        return self._s._object(i)


class State:
    """A complete snapshot: objects, threads, pending queues, handles, Python variables."""

    def __init__(self, snap, tables):
        self._snap = snap
        self._t = tables  # (types, thread_names, hrecs, var_names, side, handle names)
        self._threads = None
        self._handles = None

    # -- objects -----------------------------------------------------------------------
    def _object(self, i):
        rc = snap_get(self._snap[1], i)
        slots = snap_get(self._snap[2], i) if i < self._snap[2][1] else None
        items = [oid_name(j) for j in snap_list(slots)] if slots else []
        if self._pyclass_mode():
            return self._pyclass_object(i, rc, items)
        return ObjectState(oid_name(i), TYPES[self._t[0][i]], rc, rc > 0, items)

    def _pyclass_object(self, i, rc, items):
        """An object with its issue-13 fields; `self._t[6]` is whether every pyclass is a GC
        type (0.30+)."""
        classes, fields, borrows, _ = self._snap[12]
        t = TYPES[self._t[0][i]]
        idx = classes.get(i)
        if idx is None:
            tracked = t != "object" or self._t[6]
            return PyClassObjectState(oid_name(i), t, rc, rc > 0, items, None, {}, 0, tracked)
        name, names, tracked = self._t[4][idx]
        vals = {f: (None if v < 0 else oid_name(v)) for f, v in zip(names, fields[i])}
        return PyClassObjectState(oid_name(i), t, rc, rc > 0, items, name, vals,
                                  _borrow_word(borrows.get(i, 0)), tracked)

    @property
    def last_gc(self):
        """The latest collection's `found`, `freed` and `returned`, or None (issue 13)."""
        idx = self._snap[12][3]
        if idx < 0:
            return None
        found, freed = self._t[4][idx]
        return {"found": [oid_name(o) for o in found], "freed": [oid_name(o) for o in freed],
                "returned": len(found)}

    @property
    def objects(self):
        return _Objects(self)

    def refcount_table(self):
        """{object: refcount}, with "freed" for an object whose count reached zero: what a
        lesson prints to show who owns what at a probe."""
        return {oid: (ob.refcount if ob.alive else "freed") for oid, ob in self.objects.items()}

    def refcounts(self):
        """All refcounts, in object order (cheap bulk read for charts)."""
        return snap_list(self._snap[1]) if self._snap[0] else []

    # -- threads -----------------------------------------------------------------------
    @property
    def threads(self):
        if self._threads is None:
            names = self._t[1]
            side = self._t[4]
            self._threads = {
                names[i]: ThreadState(names[i], c, h, owned, marks, rel, side)
                for i, (c, h, owned, marks, rel) in enumerate(self._snap[3])}
        return self._threads

    # -- the reference pool --------------------------------------------------------------
    @property
    def pending_increfs(self):
        return [oid_name(i) for i in snap_list(self._snap[4])] if self._snap[4][1] else []

    @property
    def pending_decrefs(self):
        return [oid_name(i) for i in snap_list(self._snap[5])] if self._snap[5][1] else []

    @property
    def reference_pool_initialised(self):
        return self._snap[8]

    def _draining(self):
        side = self._t[4]
        return [o for idx, pos in self._snap[11] for o in side[idx][pos:]]

    @property
    def draining_increfs(self):
        """Increfs `update_counts` has taken out of POOL and not yet applied."""
        return [oid_name(o) for o in self._draining() if o >= 0]

    @property
    def draining_decrefs(self):
        """Decrefs `update_counts` has taken out of POOL and not yet applied."""
        return [oid_name(~o) for o in self._draining() if o < 0]

    @property
    def in_flight(self):
        """Objects whose reference is travelling out of a block (`return`), innermost last."""
        return [oid_name(i) for i in self._snap[9]]

    @property
    def leaked(self):
        """References given up without a decref (`pyo3_leak_on_drop_without_reference_pool`)."""
        return [oid_name(i) for i in self._snap[10]]

    # -- handles and Python variables -------------------------------------------------------
    def _handle(self, rec):
        hid, ni, kind, oid, tid, status, owns, borrows = unpack_handle(rec)
        bname = self._handle_name(borrows) if borrows >= 0 else None
        return HandleState(hid, self._t[5][ni], KINDS[kind], None if oid < 0 else oid_name(oid),
                           self._t[1][tid], STATUSES[status], owns, bname)

    def _handle_name(self, hid):
        """The name of handle `hid`, which a handle here borrows from. A borrow cannot outlive
        what it borrows, so that handle is normally in scope; otherwise its latest record."""
        hrecs = self._t[2]
        idx = self._snap[6].get(hid)
        rec = hrecs[idx] if idx is not None else latest_record(hrecs, hid)
        return None if rec is None else self._t[5][handle_name_index(rec)]

    @property
    def handle_instances(self):
        """Every handle still in scope, shadowed ones included, by handle id (introduction order)."""
        hrecs = self._t[2]
        return {hid: self._handle(hrecs[idx]) for hid, idx in sorted(self._snap[6].items())}

    @property
    def handles(self):
        """Handles by Rust variable name: the binding a name refers to at this step."""
        if self._handles is None:
            out = {}
            for h in self.handle_instances.values():
                out[h.name] = h
            self._handles = out
        return self._handles

    @property
    def py_vars(self):
        names = self._t[3]
        return {names[vi]: oid_name(oid) for vi, oid in sorted(self._snap[7].items())}

    # -- export ------------------------------------------------------------------------------
    def to_dict(self):
        d = self._base_dict()
        if self._pyclass_mode():
            d["last_gc"] = self.last_gc
        return d

    def _pyclass_mode(self):
        return len(self._t) > 6 and self._t[6] is not None

    def _base_dict(self):
        return {
            "objects": {k: v.to_dict() for k, v in self.objects.items()},
            "threads": {k: v.to_dict() for k, v in self.threads.items()},
            "pending_increfs": self.pending_increfs,
            "pending_decrefs": self.pending_decrefs,
            "handles": {k: v.to_dict() for k, v in self.handles.items()},
            "py_vars": self.py_vars,
            "reference_pool_initialised": self.reference_pool_initialised,
            "draining_increfs": self.draining_increfs,
            "draining_decrefs": self.draining_decrefs,
            "in_flight": self.in_flight,
            "leaked": self.leaked,
        }

    def __eq__(self, other):
        return isinstance(other, (State, DictState)) and self.to_dict() == other.to_dict()

    def __repr__(self):
        return f"State({self.to_dict()!r})"


class DictState(State):
    """A state read back from JSON (`Trace.from_json`): same attributes, plain data inside."""

    def __init__(self, d):
        self._d = d

    def _pyclass_mode(self):
        return "last_gc" in self._d

    @property
    def last_gc(self):
        g = self._d.get("last_gc")
        return None if g is None else {k: (list(v) if isinstance(v, list) else v)
                                       for k, v in g.items()}

    @property
    def objects(self):
        return {k: _dict_object(k, v) for k, v in self._d["objects"].items()}

    def refcounts(self):
        return [v["refcount"] for v in self._d["objects"].values()]

    @property
    def threads(self):
        return {k: _DictThread(k, v) for k, v in self._d["threads"].items()}

    @property
    def pending_increfs(self):
        return list(self._d["pending_increfs"])

    @property
    def pending_decrefs(self):
        return list(self._d["pending_decrefs"])

    @property
    def reference_pool_initialised(self):
        return self._d["reference_pool_initialised"]

    @property
    def handles(self):
        return {k: HandleState(None, k, v["kind"], v["obj"], v["thread"], v["status"],
                               v["owns"], v["borrows"]) for k, v in self._d["handles"].items()}

    @property
    def handle_instances(self):
        return dict(enumerate(self.handles.values()))

    @property
    def in_flight(self):
        return list(self._d.get("in_flight", []))

    @property
    def draining_increfs(self):
        return list(self._d.get("draining_increfs", []))

    @property
    def draining_decrefs(self):
        return list(self._d.get("draining_decrefs", []))

    @property
    def leaked(self):
        return list(self._d.get("leaked", []))

    @property
    def py_vars(self):
        return dict(self._d["py_vars"])


def _dict_object(k, v):
    if "class" not in v:
        return ObjectState(k, v["type"], v["refcount"], v["alive"], list(v["items"]))
    return PyClassObjectState(k, v["type"], v["refcount"], v["alive"], list(v["items"]),
                              v["class"], dict(v["fields"]), v["borrow"], v["gc_tracked"])


class _DictThread(ThreadState):
    __slots__ = ("_list", "_releasing")

    def __init__(self, name, d):
        self.name, self.gil_count, self.holds_gil = name, d["gil_count"], d["holds_gil"]
        self.pool_marks = list(d["pool_marks"])
        self._releasing = list(d.get("releasing", []))
        self._list = list(d["owned"])

    @property
    def releasing(self):
        return list(self._releasing)

    @property
    def releasing_len(self):
        return len(self._releasing)

    @property
    def owned(self):
        return list(self._list)

    @property
    def owned_len(self):
        return len(self._list)

    def owned_slice(self, start, stop):
        return self._list[start:stop]
