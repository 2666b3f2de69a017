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

Blocks nest from any block: `with py.detach():` inside `with prog.attach() as py:` opens the
`detach` inside the `attach`, exactly as `prog.detach()` would at that point. A block opened
with `as_="name"` binds what it returns to `name`; its handle's `result` is that variable (use
it after the `with`), and `prog.var("name")` gives the same variable by name.

A probe label names one moment. When a label runs more than once, `trace.at(label)` answers
with the last time it ran and says nothing about the others, so a label used twice, or a probe
inside a `repeat` of more than one iteration, raises an `AmbiguousProbeWarning` while the
program is built.
"""

from __future__ import annotations

import json
import warnings
from contextlib import contextmanager

from .program import FORMAT


class AmbiguousProbeWarning(UserWarning):
    """A probe label that runs more than once: `trace.at(label)` answers with the last run only."""


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

    # --- #[pyclass] fields and borrows (issue 13) -------------------------------------------
    def set_field(self, field, value):
        """`self.borrow_mut().field = Some(value.clone().unbind())`; `value=None` clears it."""
        self._p._emit({"op": "set_field", "src": self.name, "field": field,
                       "value": None if value is None else _name(value)})

    def take_field(self, field, name=None):
        """`self.borrow_mut().field.take()`: the `Py` moves out, no refcount change."""
        name = name or self._p._fresh(field)
        self._p._emit({"op": "take_field", "src": self.name, "field": field, "as": name})
        return Var(self._p, name)

    def clear_field(self, field):
        """`self.borrow_mut().field = None`."""
        self._p._emit({"op": "clear_field", "src": self.name, "field": field})

    def borrow(self, name=None):
        return self._unary("borrow", name)

    def borrow_mut(self, name=None):
        return self._unary("borrow_mut", name)

    def try_borrow(self, name=None):
        return self._unary("try_borrow", name)

    def try_borrow_mut(self, name=None):
        return self._unary("try_borrow_mut", name)

    def guard(self, name=None):
        """`PyClassGuard` (0.26+)."""
        return self._unary("guard", name)

    def guard_mut(self, name=None):
        """`PyClassGuardMut` (0.26+)."""
        return self._unary("guard_mut", name)

    def send(self, thread):
        self._p._emit({"op": "send", "src": self.name, "to": thread})


def _name(v):
    return v.name if isinstance(v, Var) else str(v)


def drop(var):
    """`drop(var)`."""
    var._p._emit({"op": "drop", "src": var.name})


class Block:
    """The body of a block; the handle you get from `with prog.with_gil() as py:`.

    `result` is the variable the block binds its return value to (its `as_=` name), or None
    when the block was opened without one. Every block can open nested blocks.
    """

    def __init__(self, prog, op):
        self._p, self.op = prog, op
        self.result = Var(prog, op["as"]) if "as" in op else None

    def _new(self, name, type, api, items, cls=None):
        name = name or self._p._fresh(type[0])
        d = {"op": "new", "as": name, "type": type, "api": api}
        if items:
            d["items"] = [_name(i) for i in items]
        if cls:
            d["class"] = cls
        self._p._emit(d)
        return Var(self._p, name)

    def new_bound(self, name=None, type="object", items=(), cls=None):
        """`Bound::new` (a declared class with `cls=`) or a container's constructor."""
        return self._new(name, type, "bound", items, cls)

    def new_gil_ref(self, name=None, type="object", items=(), cls=None):
        return self._new(name, type, "gil_ref", items, cls)

    def new_py(self, name=None, cls=None):
        return self._new(name, "object", "py", (), cls)

    def gc_collect(self):
        """`gc.collect()` called from Rust (needs `py`)."""
        self._p._emit({"op": "gc_collect"})

    def probe(self, label):
        self._p._check_probe(label)
        self._p._emit({"op": "probe", "label": label})

    def return_(self, var):
        self._p._emit({"op": "return", "src": _name(var)})

    # --- nested blocks: each opens inside whichever block is innermost right now ----------
    def _open(self, op, as_=None):
        if as_:
            op["as"] = as_
        return self._p._block(op)

    def with_gil(self, as_=None):
        return self._open({"op": "with_gil"}, as_)

    def attach(self, as_=None):
        return self._open({"op": "attach"}, as_)

    def gil(self, as_=None):
        """Release-neutral `with_gil` (before 0.26) / `attach` (0.26+)."""
        return self._open({"op": "gil"}, as_)

    def nogil(self, as_=None):
        """Release-neutral `allow_threads` (before 0.26) / `detach` (0.26+)."""
        return self._open({"op": "nogil"}, as_)

    def allow_threads(self, as_=None):
        return self._open({"op": "allow_threads"}, as_)

    def detach(self, as_=None):
        return self._open({"op": "detach"}, as_)

    def pyfunction(self, name="f", as_=None):
        return self._open({"op": "pyfunction", "name": name}, as_)

    def new_pool(self):
        return self._open({"op": "new_pool"})

    def with_pool(self):
        return self._open({"op": "with_pool"})

    def repeat(self, times):
        return self._open({"op": "repeat", "times": times})

    def thread(self, name, as_=None):
        return self._open({"op": "thread", "name": name}, as_)

    def py_del(self, name):
        self._p._emit({"op": "py_del", "src": _name(name)})


class Program(Block):
    """A program under construction; also its top-level body."""

    def __init__(self, title=None, rust=None):
        self._ops = []
        self._stack = [self._ops]
        self._open_ops = []  # the block ops enclosing the innermost body, outermost first
        self._counter = {}
        self._labels = set()
        self.title, self.rust = title, rust
        self._classes = {}
        super().__init__(self, {})

    def declare_class(self, name, fields=(), traverse=False, clear=False, **flags):
        """Declare a `#[pyclass]` with `Option<Py<PyAny>>` fields (the `classes` key); `flags`
        are the other class keys (`traverse_attaches`, `subclass_holds_instance`)."""
        self._classes[name] = {"fields": list(fields), "traverse": traverse, "clear": clear,
                               **flags}
        return name

    def _fresh(self, stem):
        n = self._counter.get(stem, 0) + 1
        self._counter[stem] = n
        return f"{stem}{n}"

    def _emit(self, d):
        self._stack[-1].append(d)

    def _check_probe(self, label):
        """Warn when `trace.at(label)` could not say which of several moments is meant."""
        loops = [op["times"] for op in self._open_ops if op["op"] == "repeat" and op["times"] > 1]
        if label in self._labels:
            warnings.warn(f"probe label {label!r} is used twice; trace.at({label!r}) answers with "
                          "the last one to run. Give each probe its own label.", AmbiguousProbeWarning,
                          stacklevel=3)
        elif loops:
            warnings.warn(f"probe {label!r} is inside a repeat of {loops[-1]} iterations; "
                          f"trace.at({label!r}) answers with the last iteration only. Move the probe "
                          "after the repeat, or use repeat(1) to look inside one iteration.",
                          AmbiguousProbeWarning, stacklevel=3)
        self._labels.add(label)

    @contextmanager
    def _block(self, op):
        op["body"] = []
        self._emit(op)
        self._stack.append(op["body"])
        self._open_ops.append(op)
        try:
            yield Block(self, op)
        finally:
            self._open_ops.pop()
            self._stack.pop()

    def var(self, name):
        """The program's variable called `name`, e.g. what a block bound with `as_=name`."""
        return Var(self, name)

    def to_dict(self):
        d = {"format": FORMAT, "ops": json.loads(json.dumps(self._ops))}
        if self._classes:
            d["classes"] = json.loads(json.dumps(self._classes))
        if self.title:
            d["title"] = self.title
        if self.rust:
            d["rust"] = self.rust
        return d

    def to_json(self, indent=2):
        return json.dumps(self.to_dict(), indent=indent)
