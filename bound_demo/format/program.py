"""Programs (format `bound_demo.program/1`): loading, validation, caps.

The format is specified in shared/design/program-format.md. This module turns a dict, a
JSON string or a path into a tree of `Op` records, checking everything that makes a
program *malformed* (unknown op, missing key, wrong type, a name never introduced): each
such problem is a `ProgramError` (a `ValueError`) naming the op path, e.g. `ops[2].body[0]`.
Problems with the *Rust* a program stands for (use after move, lifetimes, ...) are not
malformations: the interpreter turns them into trace errors.

Hostile input meets documented caps, checked before anything runs:
`MAX_JSON_BYTES`, `MAX_DEPTH`, `MAX_OPS`, `MAX_NAME`, `MAX_EXECUTED_OPS`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

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


class ProgramError(ValueError):
    """A malformed program. The message starts with the op path."""

    def __init__(self, path, problem):
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem


BLOCKS = {"with_gil", "attach", "allow_threads", "detach", "pyfunction", "new_pool",
          "with_pool", "repeat", "thread", "gil", "nogil"}
# op -> (required keys with types, optional keys with types)
_S, _I = str, int
SPEC = {
    "with_gil": ({"body": list}, {"as": _S}),
    "attach": ({"body": list}, {"as": _S}),
    "allow_threads": ({"body": list}, {"as": _S}),
    "detach": ({"body": list}, {"as": _S}),
    # Extensions (this project's): release-neutral spellings, so one program can be compared
    # across 0.20 … 0.29. `gil` is `with_gil` before 0.26 and `attach` from 0.26; `nogil` is
    # `allow_threads` / `detach` likewise.
    "gil": ({"body": list}, {"as": _S}),
    "nogil": ({"body": list}, {"as": _S}),
    "pyfunction": ({"body": list}, {"as": _S, "name": _S}),
    "new_pool": ({"body": list}, {"as": _S}),
    "with_pool": ({"body": list}, {"as": _S}),
    "repeat": ({"times": _I, "body": list}, {}),
    "thread": ({"name": _S, "body": list}, {"as": _S}),
    "new": ({"as": _S, "type": _S, "api": _S}, {"items": list}),
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
}
COMMON = {"op": _S, "line": _I, "note": _S}
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


def _type_name(t):
    return {str: "a string", int: "an integer", list: "a list"}[t]


def load(program) -> dict:
    """Accept a dict, a JSON string or a path (str or os.PathLike) to a .json file."""
    if isinstance(program, dict):
        return program
    if isinstance(program, os.PathLike) or (
            isinstance(program, str) and not program.lstrip().startswith("{")):
        path = os.fspath(program)
        if not os.path.isfile(path):
            raise ProgramError("program", f"no such program file: {path!r}")
        if os.path.getsize(path) > MAX_JSON_BYTES:
            raise ProgramError("program", f"file larger than the cap of {MAX_JSON_BYTES} bytes")
        with open(path, encoding="utf-8") as f:
            program = f.read()
    if isinstance(program, (bytes, bytearray)):
        program = program.decode("utf-8")
    if not isinstance(program, str):
        raise ProgramError("program", f"expected a dict, JSON text or a path, got {type(program).__name__}")
    if len(program) > MAX_JSON_BYTES:
        raise ProgramError("program", f"JSON text larger than the cap of {MAX_JSON_BYTES} bytes")
    try:
        data = json.loads(program)
    except RecursionError:
        raise ProgramError("program", "JSON nested too deeply to read") from None
    except json.JSONDecodeError as e:
        raise ProgramError("program", f"not valid JSON: {e}") from None
    if not isinstance(data, dict):
        raise ProgramError("program", "a program is a JSON object with 'format' and 'ops'")
    return data


class _Checker:
    def __init__(self):
        self.flat = []
        self.pyvars = set()

    def name(self, path, key, value):
        if not value or len(value) > MAX_NAME:
            raise ProgramError(path, f"'{key}' must be a name of 1 to {MAX_NAME} characters")

    def ops(self, items, path, depth, scopes, in_repeat):
        if depth > MAX_DEPTH:
            raise ProgramError(path, f"blocks nested deeper than the cap of {MAX_DEPTH}")
        if not isinstance(items, list):
            raise ProgramError(path, "expected a list of ops")
        out, cost = [], 0
        scope = set()
        scopes = scopes + [scope]
        for i, d in enumerate(items):
            p = f"{path}[{i}]"
            op = self.op(d, p, depth, scopes, in_repeat)
            if op.kind == "return" and i != len(items) - 1:
                raise ProgramError(p, "'return' must be the last op of a body")
            out.append(op)
            cost += op.d.get("_cost", 1)
        return out, cost

    def visible(self, scopes, name):
        return any(name in s for s in scopes)

    def op(self, d, p, depth, scopes, in_repeat):
        if len(self.flat) >= MAX_OPS:
            raise ProgramError(p, f"more than the cap of {MAX_OPS} ops")
        if not isinstance(d, dict):
            raise ProgramError(p, "an op must be an object with an 'op' key")
        kind = d.get("op")
        if "op" not in d:
            raise ProgramError(p, "missing key 'op'")
        if kind not in SPEC:
            raise ProgramError(p, f"unknown op {kind!r}")
        req, opt = SPEC[kind]
        for k, t in req.items():
            if k not in d:
                raise ProgramError(p, f"{kind}: missing key '{k}'")
        for k, v in d.items():
            t = req.get(k) or opt.get(k) or COMMON.get(k)
            if t is None:
                continue  # extra keys are allowed (extensions), and ignored
            if not isinstance(v, t) or (t is int and isinstance(v, bool)):
                raise ProgramError(p, f"{kind}: '{k}' must be {_type_name(t)}, got {type(v).__name__}")
        for k in ("as", "src", "item", "to", "label", "name"):
            if k in d:
                self.name(p, k, d[k])
        op = Op(len(self.flat), p, kind, dict(d))
        self.flat.append(op)
        scope = scopes[-1]
        for k in ("src", "item"):
            if k in d and kind != "py_del" and not self.visible(scopes, d[k]):
                raise ProgramError(p, f"{kind}: unknown handle {d[k]!r} ('{k}' names no variable in scope)")
        if kind == "py_del" and d["src"] not in self.pyvars:
            raise ProgramError(p, f"py_del: unknown Python variable {d['src']!r}")
        if kind == "new":
            if d["type"] not in OBJ_TYPES:
                raise ProgramError(p, f"new: 'type' must be one of {', '.join(OBJ_TYPES)}")
            if d["api"] not in APIS:
                raise ProgramError(p, f"new: 'api' must be one of {', '.join(APIS)}")
            if d["api"] == "py" and d["type"] != "object":
                raise ProgramError(p, "new: api 'py' (Py::new) takes a #[pyclass] value: type must be 'object'")
            items = d.get("items")
            if items is not None:
                if d["type"] not in ("list", "tuple"):
                    raise ProgramError(p, "new: 'items' is for lists and tuples")
                for j, it in enumerate(items):
                    if not isinstance(it, str) or not self.visible(scopes, it):
                        raise ProgramError(f"{p}.items[{j}]", f"unknown handle {it!r}")
        if kind in ("get_item", "get_borrowed_item") and d["index"] < 0:
            raise ProgramError(p, f"{kind}: 'index' must be ≥ 0 (Rust takes a usize)")
        if kind == "return" and in_repeat == depth:
            raise ProgramError(p, "'return' cannot end a repeat body (a for loop yields no value)")
        if kind in BLOCKS:
            if kind == "repeat" and not 0 <= d["times"] <= MAX_TIMES:
                raise ProgramError(p, f"repeat: 'times' must be between 0 and the cap of {MAX_TIMES}")
            body, cost = self.ops(d["body"], f"{p}.body", depth + 1, scopes,
                                  depth + 1 if kind == "repeat" else in_repeat)
            op.body = body
            op.returns = bool(body) and body[-1].kind == "return"
            if "as" in d and not op.returns and kind != "pyfunction":
                raise ProgramError(p, f"{kind}: 'as' names the block's result, but its body has no 'return'")
            if kind == "repeat":
                cost = cost * d["times"]
            op.d["_cost"] = cost + 1
            if op.d["_cost"] > MAX_EXECUTED_OPS:
                raise ProgramError(p, f"would execute about {op.d['_cost']:,} ops, over the cap of {MAX_EXECUTED_OPS:,}")
            if kind == "pyfunction" and "as" in d:
                self.pyvars.add(d["as"])
            elif "as" in d:
                scope.add(d["as"])
        elif "as" in d:
            scope.add(d["as"])
        return op


def parse(program) -> Program:
    data = load(program)
    fmt = data.get("format")
    if fmt != FORMAT:
        raise ProgramError("format", f"expected {FORMAT!r}, got {fmt!r}")
    if "ops" not in data:
        raise ProgramError("program", "missing key 'ops'")
    c = _Checker()
    ops, cost = c.ops(data["ops"], "ops", 0, [], -1)
    if cost > MAX_EXECUTED_OPS:
        raise ProgramError("ops", f"would execute about {cost:,} ops, over the cap of {MAX_EXECUTED_OPS:,}")
    for op in ops:
        if op.kind == "return":
            raise ProgramError(op.path, "'return' is only allowed at the end of a block body")
    rust = data.get("rust")
    if rust is not None and not isinstance(rust, str):
        raise ProgramError("rust", "'rust' must be a string (the Rust source the program stands for)")
    return Program(data, ops, c.flat, rust, data.get("title"), cost)


def spell_for_release(program, pyo3):
    """A copy of a program with the release-neutral ops `gil`/`nogil` spelled as that release
    spells them (`with_gil`/`allow_threads` before 0.26, `attach`/`detach` from 0.26). The
    witness uses this: real PyO3 has only the real names."""
    data = json.loads(json.dumps(load(program)))
    new = int(str(pyo3).split(".")[1]) >= 26

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
