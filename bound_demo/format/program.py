"""Programs (format `bound_demo.program/1`): loading, validation, caps.

The format is specified in shared/design/program-format.md. This module turns a dict, a
JSON string or a path into a tree of `Op` records, checking everything that makes a
program *malformed* (unknown op, missing key, wrong type, a name never introduced): each
such problem is a `ProgramError` (a `ValueError`) naming the op path, e.g. `ops[2].body[0]`.
Problems with the *Rust* a program stands for (use after move, lifetimes, ...) are not
malformations: the interpreter turns them into trace errors.

Hostile input meets documented caps, checked before anything runs (the Caps section of
docs/reference/program-format.md lists them): `MAX_JSON_BYTES`, `MAX_DEPTH`, `MAX_OPS`,
`MAX_NAME`, `MAX_NOTE`, `MAX_TITLE`, `MAX_ITEMS`, `MAX_HANDLES`, `MAX_THREADS`, `MAX_OBJECTS`,
`MAX_SLOW_OPS`, `MAX_EXECUTED_OPS` (and, while a program runs, `MAX_STORED_STEPS`).
What the checker computes (an op's cost) lives on the `Op` record,
never in its dict: nothing the input says can switch a cap off.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from typing import NamedTuple

FORMAT = "bound_demo.program/1"
MAX_JSON_BYTES = 16 * 1024 * 1024  # a program text larger than 16 MiB is refused
MAX_DEPTH = 64  # blocks nested deeper than this are refused
MAX_OPS = 100_000  # ops written in a program
MAX_NAME = 80  # characters in a handle, thread, label or variable name
# Ops a run may execute, counting every repeat iteration. An op creates at most one object
# and adds at most one pool or queue entry, so this also keeps every state vector under its
# capacity (pvec.CAPACITY, 16,777,216 entries).
MAX_EXECUTED_OPS = 16_000_000
MAX_TIMES = 10_000_000  # one repeat's count
# Objects created, counting every iteration: each stays in the trace (the heap keeps freed
# objects as ids), about 220 bytes apiece even in a loop written in bulk.
MAX_OBJECTS = 5_000_000
# Ops and items run one by one, in loops `fastforward` cannot write from their pattern (a
# loop that names a handle from outside it, a nested loop): each costs about 15 µs and
# 300 bytes a step, so this keeps a run near 30 s and 700 MB.
MAX_SLOW_OPS = 1_000_000
# Steps the run records one by one (checked while it runs: a loop that looked regular may
# still not repeat exactly). The static estimate above catches the usual cases first.
MAX_STORED_STEPS = 2_500_000
MAX_NOTE = 500  # characters in an op's `note` (it is drawn inside a Graphviz label)
MAX_TITLE = 200  # characters in a program's `title`
MAX_ITEMS = 1_000  # items written in one `new` list or tuple
# Handles written: ops that introduce a handle (an `as` key). A run's live handles never
# outnumber them (a loop body's handles leave at the end of each iteration), and each state
# snapshot carries them all, so memory grows with their square.
MAX_HANDLES = 5_000
# Threads started, counting every repeat iteration (a render also caps the size of a frame).
MAX_THREADS = 1_000
# Keys of an op that are not in its spec are extensions: allowed, never read, but they must be
# plain JSON (they are written back into every trace) and never start with '_'.
MAX_EXTRA_DEPTH = 8


class ProgramError(ValueError):
    """A malformed program. The message starts with the op path."""

    def __init__(self, path, problem):
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem


BLOCKS = {"with_gil", "attach", "allow_threads", "detach", "pyfunction", "new_pool",
          "with_pool", "repeat", "thread", "gil", "nogil"}
# The pyclass ops of issue 13, by kind: field writes and the six borrows (the last two, the
# guards, from 0.26).
FIELD_OPS = ("set_field", "take_field", "clear_field")
BORROW_OPS = ("borrow", "borrow_mut", "try_borrow", "try_borrow_mut", "guard", "guard_mut")

# op -> (required keys with types, optional keys with types)
_S, _I = str, int
_VALUE = (str, type(None))  # a handle's name, or null (`None`: clears the field)
SPEC = {
    "with_gil": ({"body": list}, {"as": _S}),
    "attach": ({"body": list}, {"as": _S}),
    "allow_threads": ({"body": list}, {"as": _S}),
    "detach": ({"body": list}, {"as": _S}),
    # Extensions (this project's): release-neutral spellings, so one program can be compared
    # across 0.20 … 0.30. `gil` is `with_gil` before 0.26 and `attach` from 0.26; `nogil` is
    # `allow_threads` / `detach` likewise.
    "gil": ({"body": list}, {"as": _S}),
    "nogil": ({"body": list}, {"as": _S}),
    "pyfunction": ({"body": list}, {"as": _S, "name": _S}),
    "new_pool": ({"body": list}, {"as": _S}),
    "with_pool": ({"body": list}, {"as": _S}),
    "repeat": ({"times": _I, "body": list}, {}),
    "thread": ({"name": _S, "body": list}, {"as": _S}),
    "new": ({"as": _S, "type": _S, "api": _S}, {"items": list, "class": _S}),
    "clone": ({"src": _S, "as": _S}, {}),
    "clone_ref": ({"src": _S, "as": _S}, {}),
    "drop": ({"src": _S}, {}),
    "drop_ref": ({"src": _S}, {}),
    "unbind": ({"src": _S, "as": _S}, {}),
    "into_bound": ({"src": _S, "as": _S}, {}),
    "bind": ({"src": _S, "as": _S}, {}),
    "bind_borrowed": ({"src": _S, "as": _S}, {}),
    "as_borrowed": ({"src": _S, "as": _S}, {}),
    "to_owned": ({"src": _S, "as": _S}, {}),
    "into_gil_ref": ({"src": _S, "as": _S}, {}),
    "as_gil_ref": ({"src": _S, "as": _S}, {}),
    "into_py": ({"src": _S, "as": _S}, {}),
    "into_ref": ({"src": _S, "as": _S}, {}),
    "as_ref": ({"src": _S, "as": _S}, {}),
    "append": ({"src": _S, "item": _S}, {}),
    "get_item": ({"src": _S, "index": _I, "as": _S}, {}),
    "get_borrowed_item": ({"src": _S, "index": _I, "as": _S}, {}),
    "send": ({"src": _S, "to": _S}, {}),
    "return": ({"src": _S}, {}),
    "py_del": ({"src": _S}, {}),
    "probe": ({"label": _S}, {}),
    # Extension: `gc.collect()` run from Rust on the current thread (needs `py`). On a
    # free-threaded build it stops the world (see docs/reference/program-format.md).
    "gc_collect": ({}, {}),
    # Extensions for what free-threaded builds change (docs/reference/program-format.md):
    # an `unsafe` unchecked read, and a `static GILProtected<T>` read with `.get(py)`.
    "get_item_unchecked": ({"src": _S, "index": _I, "as": _S}, {}),
    "gil_protected": ({}, {}),
    # Extensions (issue 13): the fields of a declared #[pyclass] (`classes` at the top level),
    # each an `Option<Py<PyAny>>`, and the runtime borrow flag of a pyclass instance.
    "set_field": ({"src": _S, "field": _S, "value": _VALUE}, {}),
    "take_field": ({"src": _S, "field": _S, "as": _S}, {}),
    "clear_field": ({"src": _S, "field": _S}, {}),
    **{b: ({"src": _S, "as": _S}, {}) for b in BORROW_OPS},
}
COMMON = {"op": _S, "line": _I, "note": _S}
# Top-level keys besides 'format' and 'ops', with their types.
_NAMED = ("as", "src", "item", "to", "label", "name")  # keys whose value is a name
TOP = {"title": _S, "about": _S, "rust": _S, "releases": list, "features": list, "cfg": list,
       "gil_used": bool,  # extension: the module's `#[pymodule(gil_used = ...)]`
       "classes": dict}
OBJ_TYPES = ("object", "list", "dict", "tuple")
APIS = ("gil_ref", "bound", "py")


@dataclass(eq=False)
class Op:
    """One op of a program, with its path and (for blocks) its body."""

    index: int  # position in Program.ops_flat: what a step points to
    path: str
    kind: str
    d: dict
    body: list = field(default_factory=list)
    returns: bool = False  # the body ends with a return op
    # What running the op once costs, counting its body's iterations and a list's items:
    # computed by the checker, never read from the program.
    cost: int = 1
    threads: int = 0  # threads it starts, counting every iteration
    slow: int = 1  # the part of `cost` run op by op (not written in bulk by fastforward)
    objects: int = 0  # objects it creates, counting every iteration

    @property
    def line(self):
        return self.d.get("line")

    def get(self, key, default=None):
        return self.d.get(key, default)


@dataclass
class Program:
    raw: dict
    ops: list  # top-level Op list
    flat: list  # every Op by index
    rust: str | None = None
    title: str | None = None
    executed_estimate: int = 0
    classes: dict = field(default_factory=dict)  # class name -> PyClass (the `classes` key)


# ---- declared #[pyclass] types (the top-level `classes` key) -----------------------------
MAX_CLASSES = 32  # classes one program declares
MAX_FIELDS = 16  # fields of one class
# Class and field names become Rust identifiers in the witness's generated crate.
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}\Z")
_RUST_KEYWORDS = frozenset(
    "as async await break const continue crate dyn else enum extern false fn for if impl in "
    "let loop match mod move mut pub ref return self Self static struct super trait true type "
    "unsafe use where while abstract become box do final macro override priv typeof unsized "
    "virtual yield try gen union".split())
# Names a field cannot take because the class's own methods use them (the witness's crate).
_RESERVED_FIELDS = frozenset(("py", "__traverse__", "__clear__"))
_CLASS_FLAGS = ("traverse", "clear", "traverse_attaches", "subclass_holds_instance")


@dataclass(frozen=True)
class PyClass:
    """One declared `#[pyclass]`: its `Option<Py<PyAny>>` fields and its GC methods."""

    name: str
    fields: tuple = ()
    traverse: bool = False  # has `fn __traverse__`
    clear: bool = False  # has `fn __clear__` (without traverse: refused per release, at run time)
    traverse_attaches: bool = False  # its `__traverse__` attaches first (and panics)
    subclass_holds_instance: bool = False  # #6269: a Python subclass's attribute holds an instance


def _identifier(path, what, name):
    if not isinstance(name, str) or not _IDENT.match(name) or name in _RUST_KEYWORDS:
        raise ProgramError(path, f"{what} {name!r} must be a Rust identifier: a letter, then up to "
                                 "63 letters, digits or '_', and not a Rust keyword")


def _class_fields(path, value):
    if not isinstance(value, list):
        raise ProgramError(path, "'fields' must be a list of field names")
    if len(value) > MAX_FIELDS:
        raise ProgramError(path, f"more than the cap of {MAX_FIELDS} fields")
    for j, f in enumerate(value):
        _identifier(f"{path}[{j}]", "field", f)
        if f in _RESERVED_FIELDS:
            raise ProgramError(f"{path}[{j}]", f"field {f!r} is reserved; choose another name")
    if len(set(value)) != len(value):
        raise ProgramError(path, "a field is named twice; each field needs its own name")
    return tuple(value)


def _class_flags(path, d):
    flags = {}
    for k in _CLASS_FLAGS:
        v = d.get(k, False)
        if not isinstance(v, bool):
            raise ProgramError(f"{path}.{k}", f"'{k}' must be true or false, got {type(v).__name__}")
        flags[k] = v
    if flags["traverse_attaches"] and not flags["traverse"]:
        raise ProgramError(f"{path}.traverse_attaches",
                           "'traverse_attaches' describes a __traverse__: set 'traverse' to true too")
    return flags


def _one_class(path, name, d):
    _identifier(path, "class", name)
    if not isinstance(d, dict):
        raise ProgramError(path, "a class is an object such as {\"fields\": [\"next\"], "
                                 "\"traverse\": true, \"clear\": true}")
    for k, v in d.items():
        if k not in _CLASS_FLAGS and k != "fields":
            if k.startswith("_"):
                raise ProgramError(path, f"key {k!r}: keys starting with '_' are internal")
            check_plain(v, f"{path}.{k}")
    fields = _class_fields(f"{path}.fields", d.get("fields", []))
    return PyClass(name, fields, **_class_flags(path, d))


def parse_classes(value):
    """The `classes` declaration: class name -> `PyClass`, every problem a `ProgramError`."""
    if value is None:
        return {}
    if len(value) > MAX_CLASSES:
        raise ProgramError("classes", f"more than the cap of {MAX_CLASSES} classes")
    return {n: _one_class(f"classes.{n}", n, d) for n, d in value.items()}


def _type_name(t):
    return {str: "a string", int: "an integer", list: "a list", bool: "true or false",
            dict: "an object", _VALUE: "a name or null"}[t]


def _strict_object(pairs):
    """A JSON object whose keys are unique: a repeated key would silently hide its first value."""
    out = {}
    for k, v in pairs:
        if k in out:
            raise ProgramError("program", f"key {k!r} appears twice in one JSON object")
        out[k] = v
    return out


def _no_constant(name):
    raise ProgramError("program", f"{name} is not a JSON number (standard JSON has no NaN or Infinity)")


def strict_json(text, what="program"):
    """Parse JSON text refusing what `json.loads` lets through: repeated keys, NaN, Infinity."""
    try:
        return json.loads(text, object_pairs_hook=_strict_object, parse_constant=_no_constant)
    except RecursionError:
        raise ProgramError(what, "JSON nested too deeply to read") from None
    except json.JSONDecodeError as e:
        raise ProgramError(what, f"not valid JSON: {e}") from None


def read_text(path, what="program", cap=MAX_JSON_BYTES):
    """The UTF-8 text of a file, at most `cap` bytes, every failure a `ProgramError`."""
    if not os.path.exists(path):
        raise ProgramError(what, f"no such file: {path!r}")
    if not os.path.isfile(path):
        raise ProgramError(what, f"not a regular file: {path!r}")
    try:
        with open(path, "rb") as f:
            # Read one byte past the cap: files such as /proc entries report size 0.
            data = f.read(cap + 1)
    except OSError as e:
        raise ProgramError(what, f"cannot read {path!r}: {e.strerror or e}") from None
    if len(data) > cap:
        raise ProgramError(what, f"file larger than the cap of {cap} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ProgramError(what, f"{path!r} is not UTF-8 text ({e.reason} at byte {e.start})") from None


def json_text(data, cap, error, too_big, expected):
    """JSON text from text or UTF-8 bytes, refused over `cap` bytes: the one gate that programs
    and traces read from outside both pass. `error(message)` makes the exception to raise."""
    if isinstance(data, (bytes, bytearray)):
        if len(data) > cap:
            raise error(f"{too_big} than the cap of {cap} bytes")
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as e:
            raise error(f"JSON bytes are not UTF-8 ({e.reason})") from None
    if not isinstance(data, str):
        raise error(f"expected {expected}, got {type(data).__name__}")
    if len(data) > cap:
        raise error(f"{too_big} than the cap of {cap} bytes")
    return data


def load(program) -> dict:
    """Accept a dict, a JSON string or bytes, or a path (str or os.PathLike) to a .json file."""
    if isinstance(program, dict):
        return program
    if isinstance(program, os.PathLike) or (
            isinstance(program, str) and not program.lstrip().startswith("{")):
        program = read_text(os.fspath(program))
    program = json_text(program, MAX_JSON_BYTES, lambda m: ProgramError("program", m),
                        "JSON text larger", "a dict, JSON text or a path")
    data = strict_json(program)
    if not isinstance(data, dict):
        raise ProgramError("program", "a program is a JSON object with 'format' and 'ops'")
    return data


def check_plain(value, path, depth=0):
    """Refuse what is not plain, standard JSON (NaN, sets, objects with non-string keys...)."""
    if depth > MAX_EXTRA_DEPTH:
        raise ProgramError(path, f"value nested deeper than the cap of {MAX_EXTRA_DEPTH}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ProgramError(path, "NaN and Infinity are not JSON numbers")
    for child_path, child in _children(value, path):
        check_plain(child, child_path, depth + 1)


def _children(value, path):
    """(path, value) of each item of a list or member of an object; nothing for a scalar. A
    generator, so that an object's keys are checked in turn with the values under them."""
    if isinstance(value, list):
        yield from ((f"{path}[{i}]", v) for i, v in enumerate(value))
    elif isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise ProgramError(path, f"object keys must be strings, got {type(k).__name__}")
            yield f"{path}.{k}", v
    elif not (value is None or isinstance(value, (str, int, float))):
        raise ProgramError(path, f"not a JSON value: {type(value).__name__}")


# op -> every key it may have, with its type: the spec's own keys first, then the common ones.
_TYPES = {kind: {**COMMON, **opt, **req} for kind, (req, opt) in SPEC.items()}


def _name(path, key, value):
    if not value or len(value) > MAX_NAME:
        raise ProgramError(path, f"'{key}' must be a name of 1 to {MAX_NAME} characters")


def _visible(scopes, name):
    return any(name in s for s in scopes)


def _op_kind(d, p):
    """The kind an op names, if it is an object naming a known op."""
    if not isinstance(d, dict):
        raise ProgramError(p, "an op must be an object with an 'op' key")
    if "op" not in d:
        raise ProgramError(p, "missing key 'op'")
    kind = d["op"]
    if not isinstance(kind, str) or kind not in SPEC:
        raise ProgramError(p, f"unknown op {kind!r} (the op names are listed on the Program format page)")
    return kind


def _keys(d, p):
    """The op's kind, once its keys have the types its spec gives them."""
    kind = _op_kind(d, p)
    missing = [k for k in SPEC[kind][0] if k not in d]
    if missing:
        raise ProgramError(p, f"{kind}: missing key '{missing[0]}'")
    for k, v in d.items():
        _key(p, kind, k, v)
    note = d.get("note")
    if note is not None and len(note) > MAX_NOTE:
        raise ProgramError(p, f"{kind}: 'note' is longer than the cap of {MAX_NOTE} characters")
    return kind


def _key(p, kind, k, v):
    """One key of an op: of the type its spec gives it (a name also of a name's length), or an
    extension the spec does not name."""
    t = _TYPES[kind].get(k)
    if t is None:
        _extra(p, kind, k, v)
    elif not isinstance(v, t) or (t is int and isinstance(v, bool)):
        raise ProgramError(p, f"{kind}: '{k}' must be {_type_name(t)}, got {type(v).__name__}")
    elif k in _NAMED:  # (no common key is a name)
        _name(p, k, v)


def _extra(p, kind, key, value):
    """A key the op's spec does not name: an extension, kept but never read."""
    if key.startswith("_"):
        raise ProgramError(p, f"{kind}: key {key!r}: keys starting with '_' are internal and "
                              "cannot be written in a program")
    check_plain(value, f"{p}.{key}")


@dataclass(frozen=True)
class _Body:
    """Where the ops of one body sit: the body's path, how deeply it is nested, the scopes its
    ops see (its own last) and whether it is a repeat's body (a loop yields no value)."""

    path: str
    depth: int
    scopes: list
    repeat: bool = False

    def inner(self, op):
        """The body of the block `op`: one level deeper, with a scope of its own."""
        return _Body(f"{op.path}.body", self.depth + 1, self.scopes + [set()], op.kind == "repeat")


class _Counts(NamedTuple):
    """What running some ops once costs; an `Op` carries the same four counts."""

    cost: int
    threads: int
    slow: int
    objects: int


# The caps on what running a block (or the whole program) costs, in the order they are
# checked: the count, its cap, and the rule the error states.
_CAPS = (
    ("cost", MAX_EXECUTED_OPS, "would execute about {n:,} ops and items, over the cap of {cap:,}"),
    ("objects", MAX_OBJECTS, "would create {n:,} objects, over the cap of {cap:,}"),
    ("threads", MAX_THREADS, "would start {n:,} threads, over the cap of {cap:,}"),
    ("slow", MAX_SLOW_OPS, "would run about {n:,} ops and items one by one, over the cap of "
                           "{cap:,} (loops that name a handle from outside them, or hold another "
                           "loop, run op by op): make the loop shorter"),
)
# Keys that name a handle in scope, whether or not the op's spec has them (a `py_del`'s 'src'
# names a Python variable instead).
_HANDLE_KEYS = ("src", "item", "value")
# The keys of a `new` op that take one of a fixed set of words.
_NEW_CHOICES = (("type", OBJ_TYPES), ("api", APIS))


class _Checker:
    """One walk over a program's ops: checks each, builds its `Op` and totals its costs. It
    keeps what outlives a body: every op so far, the Python variables, the handles written."""

    def __init__(self, classes):
        self.classes = classes
        self.fields = {f for c in classes.values() for f in c.fields}
        self.flat = []
        self.pyvars = set()
        self.handles = 0  # ops written that introduce a handle

    def ops(self, items, body):
        """The ops of a body, each checked in turn."""
        if body.depth > MAX_DEPTH:
            raise ProgramError(body.path, f"blocks nested deeper than the cap of {MAX_DEPTH}")
        if not isinstance(items, list):
            raise ProgramError(body.path, "expected a list of ops")
        out = []
        for i, d in enumerate(items):
            out.append(self.op(d, f"{body.path}[{i}]", body))
            _return_is_last(out[-1], i, items)
        return out

    def op(self, d, p, body):
        """One op: its keys, the handles it names, what its kind requires, then its 'as'."""
        if len(self.flat) >= MAX_OPS:
            raise ProgramError(p, f"more than the cap of {MAX_OPS} ops")
        op = Op(len(self.flat), p, _keys(d, p), dict(d))
        self.flat.append(op)
        if op.kind != "py_del":
            _handles_in_scope(op, body.scopes)
        rule = _BY_KIND.get(op.kind)
        if rule is not None:
            rule(self, op, body)
        if isinstance(d.get("as"), str):
            # Also on an op whose spec has no 'as' (as before: the name comes into scope).
            self.introduce(op, body.scopes[-1])
        return op

    def field(self, op, body):
        """A field op names a field some declared class has (which object's class is checked
        when it runs: a class without that field is a compile error there)."""
        name = op.d["field"]
        if name not in self.fields:
            known = ", ".join(sorted(self.fields)) or "none: declare classes first"
            raise ProgramError(op.path, f"{op.kind}: no declared class has a field {name!r} "
                                        f"(fields: {known})")

    def py_del(self, op, body):
        if op.d["src"] not in self.pyvars:
            raise ProgramError(op.path, f"py_del: unknown Python variable {op.d['src']!r}")

    def new(self, op, body):
        """A `new` op: its class is declared, its type and api go together, its items are in
        scope. It costs one step for itself and one for each item."""
        _new_class(op.d, op.path, self.classes)
        _new_kind(op.d, op.path)
        op.cost = op.slow = 1 + _new_items(op.d, op.path, body.scopes)
        op.objects = 1

    def repeat(self, op, body):
        times = op.d["times"]
        if not 0 <= times <= MAX_TIMES:
            raise ProgramError(op.path, f"repeat: 'times' must be between 0 and the cap of {MAX_TIMES}")
        self.block(op, body, times)

    def block(self, op, body, times=1):
        """A block's body, checked, and what running the block (`times` over) costs."""
        op.body = self.ops(op.d["body"], body.inner(op))
        op.returns = bool(op.body) and op.body[-1].kind == "return"
        if "as" in op.d and not op.returns and op.kind != "pyfunction":
            raise ProgramError(op.path, f"{op.kind}: 'as' names the block's result, but its body "
                                        "has no 'return'")
        _add_up(op, _totals(op.body), times)
        _check_totals(op.path, op)

    def introduce(self, op, scope):
        """Count (and bring into scope) the handle or Python variable an op's 'as' names."""
        _name(op.path, "as", op.d["as"])
        self.handles += 1
        if self.handles > MAX_HANDLES:
            raise ProgramError(op.path, f"more than the cap of {MAX_HANDLES:,} handles written")
        if op.kind == "pyfunction":
            self.pyvars.add(op.d["as"])
        else:
            scope.add(op.d["as"])


def _index(checker, op, body):
    if op.d["index"] < 0:
        raise ProgramError(op.path, f"{op.kind}: 'index' must be ≥ 0 (Rust takes a usize)")


def _return(checker, op, body):
    if body.repeat:
        raise ProgramError(op.path, "'return' cannot end a repeat body (a for loop yields no value)")


# What each kind of op requires beyond its keys and the handles it names. Each rule is called
# with the checker, the op and the body it sits in; the two that need no state are plain
# functions.
_BY_KIND = {
    **dict.fromkeys(BLOCKS, _Checker.block),
    "repeat": _Checker.repeat,
    "new": _Checker.new,
    "py_del": _Checker.py_del,
    **dict.fromkeys(FIELD_OPS, _Checker.field),
    **dict.fromkeys(("get_item", "get_borrowed_item", "get_item_unchecked"), _index),
    "return": _return,
}


def _return_is_last(op, i, items):
    """A `return` (the i-th op of `items`) ends its body: nothing could run after it."""
    if op.kind == "return" and i != len(items) - 1:
        raise ProgramError(op.path, "'return' must be the last op of a body")


def _handles_in_scope(op, scopes):
    """Every handle the op names is in one of the scopes it sees."""
    for k in _HANDLE_KEYS:
        v = op.d.get(k)
        if isinstance(v, str) and not _visible(scopes, v):
            raise ProgramError(op.path, f"{op.kind}: unknown handle {v!r} ('{k}' names no "
                                        "variable in scope)")


def _new_class(d, p, classes):
    """A `new` op's class, if it names one, is declared, and makes an object."""
    cls = d.get("class")
    if cls is None:
        return
    if cls not in classes:
        known = ", ".join(sorted(classes)) or "none declared"
        raise ProgramError(p, f"new: class {cls!r} is not declared in the top-level 'classes' "
                              f"(declared: {known})")
    if d["type"] != "object":
        raise ProgramError(p, "new: 'class' makes a #[pyclass] instance: type must be 'object'")


def _new_kind(d, p):
    """A `new` op's type and api are known words, and `Py::new` makes an object."""
    for key, allowed in _NEW_CHOICES:
        if d[key] not in allowed:
            raise ProgramError(p, f"new: '{key}' must be one of {', '.join(allowed)}")
    if d["api"] == "py" and d["type"] != "object":
        raise ProgramError(p, "new: api 'py' (Py::new) takes a #[pyclass] value: type must be 'object'")


def _new_items(d, p, scopes):
    """How many items a `new` list or tuple is written with (each a handle in scope)."""
    items = d.get("items")
    if items is None:
        return 0
    if d["type"] not in ("list", "tuple"):
        raise ProgramError(p, "new: 'items' is for lists and tuples")
    if len(items) > MAX_ITEMS:
        raise ProgramError(p, f"new: more than the cap of {MAX_ITEMS:,} items")
    for j, it in enumerate(items):
        if not isinstance(it, str) or not _visible(scopes, it):
            raise ProgramError(f"{p}.items[{j}]", f"unknown handle {it!r}")
    return len(items)


def _totals(ops):
    """What running a body's ops once costs."""
    return _Counts(*(sum(getattr(op, k) for op in ops) for k in _Counts._fields))


def _add_up(op, body, times):
    """A block's counts from its body's (`body`), run `times` over: the block itself is one
    more op, and a thread block starts one more thread."""
    op.cost = body.cost * times + 1
    op.threads = body.threads * times + (op.kind == "thread")
    op.slow = body.slow * _slow_iterations(op, times) + 1
    op.objects = body.objects * times


def _check_totals(path, counts):
    """The caps on what running a block (or the whole program) costs."""
    for key, cap, rule in _CAPS:
        n = getattr(counts, key)
        if n > cap:
            raise ProgramError(path, rule.format(n=n, cap=cap))


def _slow_iterations(op, times):
    """How many iterations of a block run op by op: all of them, except in a loop that
    `fastforward` may write in bulk after its warm-up."""
    from . import loops
    if op.kind != "repeat":
        return 1
    if times >= loops.MIN_TIMES and loops.eligible(op):
        return min(times, loops.WARMUP)
    return times


def _top_level(data):
    """Check the keys around 'ops': their types, and that extensions are plain JSON."""
    for k, v in data.items():
        if k not in ("format", "ops"):
            _top_key(k, v)
    title = data.get("title")
    if title is not None and len(title) > MAX_TITLE:
        raise ProgramError("title", f"'title' is longer than the cap of {MAX_TITLE} characters")


def _top_key(k, v):
    t = TOP.get(k)
    if t is None and k.startswith("_"):
        raise ProgramError(k, "keys starting with '_' are internal and cannot be written in a program")
    if t is not None and not isinstance(v, t):
        raise ProgramError(k, f"'{k}' must be {_type_name(t)}, got {type(v).__name__}")
    check_plain(v, k)


def parse(program) -> Program:
    data = load(program)
    fmt = data.get("format")
    if fmt != FORMAT:
        raise ProgramError("format", f"expected {FORMAT!r}, got {fmt!r}")
    if "ops" not in data:
        raise ProgramError("program", "missing key 'ops'")
    _top_level(data)
    c = _Checker(parse_classes(data.get("classes")))
    ops = c.ops(data["ops"], _Body("ops", 0, [set()]))
    totals = _totals(ops)
    _check_totals("ops", totals)
    for op in ops:
        if op.kind == "return":
            raise ProgramError(op.path, "'return' is only allowed at the end of a block body")
    return Program(data, ops, c.flat, data.get("rust"), data.get("title"), totals.cost,
                   c.classes)


def spell_for_release(program, prof):
    """A copy of a program with the release-neutral ops `gil`/`nogil` spelled as that release
    spells them (`with_gil`/`allow_threads` before 0.26, `attach`/`detach` from 0.26). The
    witness uses this: real PyO3 has only the real names."""
    data = json.loads(json.dumps(load(program)))
    new = prof.attach_names

    def walk(ops):
        for op in ops:
            if isinstance(op, dict):
                if op.get("op") == "gil":
                    op["op"] = "attach" if new else "with_gil"
                elif op.get("op") == "nogil":
                    op["op"] = "detach" if new else "allow_threads"
                if isinstance(op.get("body"), list):
                    walk(op["body"])

    walk(data.get("ops", []))
    return data
