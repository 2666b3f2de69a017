"""A Python builder for programs that reads like the Rust it stands for.

    prog = Program("Bound clone")
    with prog.with_gil() as py:
        b = py.new_bound("b")
        c = b.clone("c")
        p = b.unbind("p")
        drop(c)
    trace = bound_demo.run(prog, pyo3="0.21")

Every method appends exactly the op the format defines (`prog.to_dict()` shows them), so a
builder program and a hand-written JSON program are interchangeable.
"""

from __future__ import annotations

import json
from contextlib import contextmanager

from .program import FORMAT


class Var:
    """A Rust variable of the program being built."""

    def __init__(self, prog, name):
        self._p, self.name = prog, name

    def __repr__(self):
        return f"Var({self.name!r})"

    def _unary(self, op, name):
        name = name or self._p._fresh(op)
        self._p._emit({"op": op, "src": self.name, "as": name})
        return Var(self._p, name)

    def clone(self, name=None):
        return self._unary("clone", name)

    def clone_ref(self, name=None):
        return self._unary("clone_ref", name)

    def unbind(self, name=None):
        return self._unary("unbind", name)

    def into_bound(self, name=None):
        return self._unary("into_bound", name)

    def bind(self, name=None):
        return self._unary("bind", name)

    def bind_borrowed(self, name=None):
        return self._unary("bind_borrowed", name)

    def as_borrowed(self, name=None):
        return self._unary("as_borrowed", name)

    def to_owned(self, name=None):
        return self._unary("to_owned", name)

    def into_gil_ref(self, name=None):
        return self._unary("into_gil_ref", name)

    def as_gil_ref(self, name=None):
        return self._unary("as_gil_ref", name)

    def into_py(self, name=None):
        return self._unary("into_py", name)

    def into_ref(self, name=None):
        return self._unary("into_ref", name)

    def as_ref(self, name=None):
        return self._unary("as_ref", name)

    def drop_ref(self):
        self._p._emit({"op": "drop_ref", "src": self.name})

    def append(self, item):
        self._p._emit({"op": "append", "src": self.name, "item": _name(item)})

    def get_item(self, index, name=None):
        name = name or self._p._fresh("item")
        self._p._emit({"op": "get_item", "src": self.name, "index": index, "as": name})
        return Var(self._p, name)

    def get_borrowed_item(self, index, name=None):
        name = name or self._p._fresh("item")
        self._p._emit({"op": "get_borrowed_item", "src": self.name, "index": index, "as": name})
        return Var(self._p, name)

    def send(self, thread):
        self._p._emit({"op": "send", "src": self.name, "to": thread})


def _name(v):
    return v.name if isinstance(v, Var) else str(v)


def drop(var):
    """`drop(var)`."""
    var._p._emit({"op": "drop", "src": var.name})


class Block:
    """The body of a block; the handle you get from `with prog.with_gil() as py:`."""

    def __init__(self, prog, op):
        self._p, self.op = prog, op
        self.result = Var(prog, op["as"]) if "as" in op else None

    def _new(self, name, type, api, items):
        name = name or self._p._fresh(type[0])
        d = {"op": "new", "as": name, "type": type, "api": api}
        if items:
            d["items"] = [_name(i) for i in items]
        self._p._emit(d)
        return Var(self._p, name)

    def new_bound(self, name=None, type="object", items=()):
        return self._new(name, type, "bound", items)

    def new_gil_ref(self, name=None, type="object", items=()):
        return self._new(name, type, "gil_ref", items)

    def new_py(self, name=None):
        return self._new(name, "object", "py", ())

    def probe(self, label):
        self._p._emit({"op": "probe", "label": label})

    def return_(self, var):
        self._p._emit({"op": "return", "src": _name(var)})


class Program(Block):
    """A program under construction; also its top-level body."""

    def __init__(self, title=None, rust=None):
        self._ops = []
        self._stack = [self._ops]
        self._counter = {}
        self.title, self.rust = title, rust
        super().__init__(self, {})

    def _fresh(self, stem):
        n = self._counter.get(stem, 0) + 1
        self._counter[stem] = n
        return f"{stem}{n}"

    def _emit(self, d):
        self._stack[-1].append(d)

    @contextmanager
    def _block(self, op):
        op["body"] = []
        self._emit(op)
        self._stack.append(op["body"])
        try:
            yield Block(self, op)
        finally:
            self._stack.pop()

    def with_gil(self, as_=None):
        return self._block({"op": "with_gil", **({"as": as_} if as_ else {})})

    def attach(self, as_=None):
        return self._block({"op": "attach", **({"as": as_} if as_ else {})})

    def gil(self, as_=None):
        """Release-neutral `with_gil` (before 0.26) / `attach` (0.26+)."""
        return self._block({"op": "gil", **({"as": as_} if as_ else {})})

    def nogil(self, as_=None):
        """Release-neutral `allow_threads` (before 0.26) / `detach` (0.26+)."""
        return self._block({"op": "nogil", **({"as": as_} if as_ else {})})

    def allow_threads(self, as_=None):
        return self._block({"op": "allow_threads", **({"as": as_} if as_ else {})})

    def detach(self, as_=None):
        return self._block({"op": "detach", **({"as": as_} if as_ else {})})

    def pyfunction(self, name="f", as_=None):
        return self._block({"op": "pyfunction", "name": name, **({"as": as_} if as_ else {})})

    def new_pool(self):
        return self._block({"op": "new_pool"})

    def with_pool(self):
        return self._block({"op": "with_pool"})

    def repeat(self, times):
        return self._block({"op": "repeat", "times": times})

    def thread(self, name, as_=None):
        return self._block({"op": "thread", "name": name, **({"as": as_} if as_ else {})})

    def py_del(self, name):
        self._emit({"op": "py_del", "src": name})

    def to_dict(self):
        d = {"format": FORMAT, "ops": json.loads(json.dumps(self._ops))}
        if self.title:
            d["title"] = self.title
        if self.rust:
            d["rust"] = self.rust
        return d

    def to_json(self, indent=2):
        return json.dumps(self.to_dict(), indent=indent)
