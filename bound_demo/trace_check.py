"""Validation of a trace read back from JSON (`Trace.from_json`, format `bound_demo.trace/1`).

A trace file can come from anywhere, like a program, and its values end up in step tables,
Graphviz labels and HTML. So before `LoadedTrace` keeps one, every field is checked here the
way `program.py` checks programs: its type, its range (counts are whole numbers ≥ 0, a
handle's kind and status are the model's own words, step indices point at steps) and that no
key is unknown. Each problem is a `TraceFileError` (a `ValueError`) whose message starts with
the field's path, e.g. `steps[3].state.threads.main.gil_count`. The embedded program goes
through `program.parse`. Mirrors what `Trace.to_dict` and `State.to_dict` write.
"""

from __future__ import annotations

from .format import program as prog

MAX_TRACE_BYTES = 256 * 1024 * 1024  # trace JSON text read by from_json
MAX_TRACE_STEPS = 2_000_000  # steps in a trace file


class TraceFileError(ValueError):
    """A malformed trace. The message starts with the path of the field."""

    def __init__(self, path, problem):
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem


def _names():
    from .concepts.events import NAMES
    from .store.state import KINDS, STATUSES, TYPES
    return set(NAMES), set(KINDS), set(STATUSES), set(TYPES)


def _type(v, t, path, what):
    ok = isinstance(v, t) and not (isinstance(v, bool) and t in (int, (int, type(None))))
    if not ok:
        raise TraceFileError(path, f"expected {what}, got {type(v).__name__}")
    return v


def _str(v, path, none=False):
    if none and v is None:
        return v
    return _type(v, str, path, "a string" + (" or null" if none else ""))


def _count(v, path, none=False):
    if none and v is None:
        return v
    _type(v, int, path, "a whole number" + (" or null" if none else ""))
    if v < 0:
        raise TraceFileError(path, f"expected a whole number ≥ 0, got {v}")
    return v


def _bool(v, path):
    return _type(v, bool, path, "true or false")


def _strs(v, path):
    _type(v, list, path, "a list")
    for i, x in enumerate(v):
        _str(x, f"{path}[{i}]")
    return v


def _keys(d, path, required, optional=()):
    _type(d, dict, path, "an object")
    for k in required:
        if k not in d:
            raise TraceFileError(path, f"missing key {k!r}")
    for k in d:
        if k not in required and k not in optional:
            raise TraceFileError(path, f"unknown key {k!r}")
    return d


def _one_of(v, allowed, path):
    _str(v, path)
    if v not in allowed:
        raise TraceFileError(path, f"{v!r} is not one of {', '.join(sorted(allowed))}")
    return v


_STATE = ("objects", "threads", "pending_increfs", "pending_decrefs", "handles", "py_vars",
          "reference_pool_initialised")
_STATE_OPT = ("draining_increfs", "draining_decrefs", "in_flight", "leaked")


_PYCLASS_KEYS = ("class", "fields", "borrow", "gc_tracked")


def _check_pyclass_object(o, p, classes, ids):
    """An object's issue-13 keys: its class is declared, its fields are that class's, each
    holding null or an object of the state, its borrow flag a count or "exclusive"."""
    cls = _str(o["class"], f"{p}.class", none=True)
    if cls is not None and cls not in classes:
        raise TraceFileError(f"{p}.class", f"{cls!r} is not a class the program declares")
    fields = _type(o["fields"], dict, f"{p}.fields", "an object")
    want = set(classes[cls].fields) if cls is not None else set()
    if set(fields) != want:
        raise TraceFileError(f"{p}.fields", f"expected the fields {sorted(want)}, got {sorted(fields)}")
    for f, v in fields.items():
        if _str(v, f"{p}.fields.{f}", none=True) is not None and v not in ids:
            raise TraceFileError(f"{p}.fields.{f}", f"{v!r} is not an object of this state")
    b = o["borrow"]
    if b != "exclusive":
        _count(b, f"{p}.borrow")
    _bool(o["gc_tracked"], f"{p}.gc_tracked")


def _check_last_gc(g, path, ids):
    if g is None:
        return
    _keys(g, path, ("found", "freed", "returned"))
    found, freed = _strs(g["found"], f"{path}.found"), _strs(g["freed"], f"{path}.freed")
    for k, v in (("found", found), ("freed", freed)):
        bad = [x for x in v if x not in ids]
        if bad:
            raise TraceFileError(f"{path}.{k}", f"{bad[0]!r} is not an object of this state")
    if not set(freed) <= set(found):
        raise TraceFileError(f"{path}.freed", "every freed object must be among those found")
    if _count(g["returned"], f"{path}.returned") != len(found):
        raise TraceFileError(f"{path}.returned", f"expected {len(found)} (the number found)")


def _check_objects(d, path, types, classes):
    objects = _type(d["objects"], dict, f"{path}.objects", "an object")
    pyclass = classes is not None
    for k, o in objects.items():
        p = f"{path}.objects.{k}"
        _keys(o, p, ("type", "refcount", "alive", "items") + (_PYCLASS_KEYS if pyclass else ()))
        _one_of(o["type"], types, f"{p}.type")
        _count(o["refcount"], f"{p}.refcount")
        _bool(o["alive"], f"{p}.alive")
        _strs(o["items"], f"{p}.items")
        if pyclass:
            _check_pyclass_object(o, p, classes, objects)
    if pyclass:
        if "last_gc" not in d:
            raise TraceFileError(path, "missing key 'last_gc' (the program declares classes)")
        _check_last_gc(d["last_gc"], f"{path}.last_gc", objects)
    elif "last_gc" in d:
        raise TraceFileError(f"{path}.last_gc", "only a program that declares classes has it")


def check_state(d, path, names):
    _, kinds, statuses, types = names[:4]
    classes = names[4] if len(names) > 4 else None
    _keys(d, path, _STATE, _STATE_OPT + ("last_gc",))
    _check_objects(d, path, types, classes)
    for k, t in _type(d["threads"], dict, f"{path}.threads", "an object").items():
        p = f"{path}.threads.{k}"
        _keys(t, p, ("gil_count", "holds_gil", "owned", "pool_marks"), ("releasing",))
        _count(t["gil_count"], f"{p}.gil_count")
        _bool(t["holds_gil"], f"{p}.holds_gil")
        _strs(t["owned"], f"{p}.owned")
        _strs(t.get("releasing", []), f"{p}.releasing")
        for i, m in enumerate(_type(t["pool_marks"], list, f"{p}.pool_marks", "a list")):
            _count(m, f"{p}.pool_marks[{i}]")
    for k, h in _type(d["handles"], dict, f"{path}.handles", "an object").items():
        p = f"{path}.handles.{k}"
        _keys(h, p, ("kind", "obj", "thread", "status", "owns", "borrows"))
        _one_of(h["kind"], kinds, f"{p}.kind")
        _one_of(h["status"], statuses, f"{p}.status")
        _str(h["obj"], f"{p}.obj", none=True)
        _str(h["thread"], f"{p}.thread", none=True)
        _str(h["borrows"], f"{p}.borrows", none=True)
        _bool(h["owns"], f"{p}.owns")
    for k, v in _type(d["py_vars"], dict, f"{path}.py_vars", "an object").items():
        _str(v, f"{path}.py_vars.{k}")
    _bool(d["reference_pool_initialised"], f"{path}.reference_pool_initialised")
    for k in ("pending_increfs", "pending_decrefs") + _STATE_OPT:
        if k in d:
            _strs(d[k], f"{path}.{k}")


def check_step(s, i, path, names, first):
    events = names[0]
    _keys(s, path, ("index", "event", "op_path", "line", "rust", "caption", "notes", "touched",
                    "state"))
    if _count(s["index"], f"{path}.index") != first + i:
        raise TraceFileError(f"{path}.index", f"expected {first + i} (steps are in order), got {s['index']}")
    _one_of(s["event"], events, f"{path}.event")
    _str(s["op_path"], f"{path}.op_path", none=True)
    _count(s["line"], f"{path}.line", none=True)
    _str(s["rust"], f"{path}.rust", none=True)
    _str(s["caption"], f"{path}.caption")
    _strs(s["notes"], f"{path}.notes")
    t = _keys(s["touched"], f"{path}.touched", ("objects", "threads", "handles", "pending"))
    for k in ("objects", "threads", "handles"):
        _strs(t[k], f"{path}.touched.{k}")
    _bool(t["pending"], f"{path}.touched.pending")
    check_state(s["state"], f"{path}.state", names)


def _declared(program):
    """The program's classes, or None when it declares none (no pyclass keys then)."""
    return program.classes if "classes" in program.raw else None


def check_trace(d):
    """Check a trace dict as `Trace.to_dict` writes it; returns the parsed program."""
    from .trace import TRACE_FORMAT
    if not isinstance(d, dict):
        raise TraceFileError("trace", f"expected a JSON object, got {type(d).__name__}")
    if d.get("format") != TRACE_FORMAT:
        raise TraceFileError("format", f"expected {TRACE_FORMAT!r}, got {d.get('format')!r}")
    _keys(d, "trace", ("format", "pyo3", "features", "cfg", "program", "error", "labels", "steps",
                       "final"), ("steps_from", "executed_ops", "free_threaded"))
    _str(d["pyo3"], "pyo3")
    _strs(d["features"], "features")
    _strs(d["cfg"], "cfg")
    if not isinstance(d["program"], dict):
        raise TraceFileError("program", "expected the program object")
    program = prog.parse(d["program"])
    steps = _type(d["steps"], list, "steps", "a list")
    if not steps or len(steps) > MAX_TRACE_STEPS:
        raise TraceFileError("steps", f"expected 1 to {MAX_TRACE_STEPS:,} steps, got {len(steps):,}")
    first = _count(d.get("steps_from", 0), "steps_from")
    if "executed_ops" in d:
        _count(d["executed_ops"], "executed_ops")
    if "free_threaded" in d and not isinstance(d["free_threaded"], bool):
        raise TraceFileError("free_threaded", "expected true or false")
    # The 5th name table: the declared classes, or None (states then have no pyclass keys).
    names = _names() + (_declared(program),)
    for i, s in enumerate(steps):
        check_step(s, i, f"steps[{i}]", names, first)
    check_state(d["final"], "final", names)
    _check_error(d["error"])
    for k, v in _type(d["labels"], dict, "labels", "an object").items():
        _count(v, f"labels.{k}")
        if not first <= v < first + len(steps):
            raise TraceFileError(f"labels.{k}", f"step {v} is not in the trace")
    return program


def _check_error(e):
    if e is None:
        return
    _keys(e, "error", ("kind", "op_path", "message"), ("step",))
    for k in ("kind", "op_path", "message"):
        _str(e[k], f"error.{k}")
    _count(e.get("step"), "error.step", none=True)


def parse_json(text):
    """The trace dict from JSON text or bytes (or a dict), with the same strictness as programs."""
    if isinstance(text, dict):
        return text
    text = prog.json_text(text, MAX_TRACE_BYTES, lambda m: TraceFileError("trace", m),
                          "JSON larger", "JSON text, bytes or a dict")
    return prog.strict_json(text, "trace")
