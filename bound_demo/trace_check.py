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

from functools import partial

from .concepts.events import NAMES
from .format import program as prog
from .store.state import KINDS, STATUSES, TYPES

MAX_TRACE_BYTES = 256 * 1024 * 1024  # trace JSON text read by from_json
MAX_TRACE_STEPS = 2_000_000  # steps in a trace file


class TraceFileError(ValueError):
    """A malformed trace. The message starts with the path of the field."""

    def __init__(self, path, problem):
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem


# ---- one value ------------------------------------------------------------------------------
# Each check takes the value and its path, and raises a TraceFileError or returns the value.
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


_str_or_null = partial(_str, none=True)
_count_or_null = partial(_count, none=True)


def _bool(v, path):
    return _type(v, bool, path, "true or false")


def _strs(v, path):
    _type(v, list, path, "a list")
    for i, x in enumerate(v):
        _str(x, f"{path}[{i}]")
    return v


def _counts(v, path):
    for i, m in enumerate(_type(v, list, path, "a list")):
        _count(m, f"{path}[{i}]")


def _one_of(v, path, allowed):
    _str(v, path)
    if v not in allowed:
        raise TraceFileError(path, f"{v!r} is not one of {', '.join(sorted(allowed))}")
    return v


def _word(allowed):
    """The check for a value that is one of the model's own words."""
    return partial(_one_of, allowed=frozenset(allowed))


def _borrow(v, path):
    """A pyclass instance's borrow flag: "exclusive", or how many shared borrows it has."""
    if v != "exclusive":
        _count(v, path)


def _in_state(v, path, ids):
    if v not in ids:
        raise TraceFileError(path, f"{v!r} is not an object of this state")


def _all_in_state(values, path, ids):
    for v in values:
        _in_state(v, path, ids)


def _held(v, path, ids):
    """A field's value: null, or an object of the state."""
    if _str_or_null(v, path) is not None:
        _in_state(v, path, ids)


# ---- records ---------------------------------------------------------------------------------
def _keys(d, path, required, optional=()):
    _type(d, dict, path, "an object")
    for k in required:
        if k not in d:
            raise TraceFileError(path, f"missing key {k!r}")
    for k in d:
        if k not in required and k not in optional:
            raise TraceFileError(path, f"unknown key {k!r}")
    return d


def _walk(d, prefix, checks):
    """Check each key of `checks` that `d` has, in the table's order (not the record's)."""
    for key, check in checks:
        if key in d:
            check(d[key], f"{prefix}{key}")


def _record(d, path, schema):
    """A record of a fixed shape: `schema` is (required keys, optional keys, checks)."""
    required, optional, checks = schema
    _keys(d, path, required, optional)
    _walk(d, f"{path}.", checks)
    return d


def _each(v, path, check):
    """An object whose every member is checked alike (threads by name, handles by name...)."""
    for k, x in _type(v, dict, path, "an object").items():
        check(x, f"{path}.{k}")


# The records of a state, as `State.to_dict` writes them. The checks run in the order listed,
# which is not always the order of the keys: the first problem found is the one reported.
_THREAD = (("gil_count", "holds_gil", "owned", "pool_marks"), ("releasing",), (
    ("gil_count", _count), ("holds_gil", _bool), ("owned", _strs), ("releasing", _strs),
    ("pool_marks", _counts)))
_HANDLE = (("kind", "obj", "thread", "status", "owns", "borrows"), (), (
    ("kind", _word(KINDS)), ("status", _word(STATUSES)), ("obj", _str_or_null),
    ("thread", _str_or_null), ("borrows", _str_or_null), ("owns", _bool)))
_OBJECT_KEYS = ("type", "refcount", "alive", "items")
_OBJECT_CHECKS = (("type", _word(TYPES)), ("refcount", _count), ("alive", _bool), ("items", _strs))
# An object of a program that declares classes also has the issue-13 keys (checked apart: they
# refer to the classes and to the other objects).
_PYCLASS_KEYS = ("class", "fields", "borrow", "gc_tracked")
_OBJECT = {False: (_OBJECT_KEYS, (), _OBJECT_CHECKS),
           True: (_OBJECT_KEYS + _PYCLASS_KEYS, (), _OBJECT_CHECKS)}
_LAST_GC = ("found", "freed", "returned")
_STATE = ("objects", "threads", "pending_increfs", "pending_decrefs", "handles", "py_vars",
          "reference_pool_initialised")
_STATE_OPT = ("draining_increfs", "draining_decrefs", "in_flight", "leaked")
# What follows the objects (and their last collection) in a state.
_STATE_CHECKS = (
    ("threads", partial(_each, check=partial(_record, schema=_THREAD))),
    ("handles", partial(_each, check=partial(_record, schema=_HANDLE))),
    ("py_vars", partial(_each, check=_str)),
    ("reference_pool_initialised", _bool),
    *((k, _strs) for k in ("pending_increfs", "pending_decrefs") + _STATE_OPT),
)
_TOUCHED = (("objects", "threads", "handles", "pending"), (), (
    ("objects", _strs), ("threads", _strs), ("handles", _strs), ("pending", _bool)))
_STEP_KEYS = ("index", "event", "op_path", "line", "rust", "caption", "notes", "touched", "state")
# A step's keys after its index, and before its state.
_STEP_CHECKS = (("event", _word(NAMES)), ("op_path", _str_or_null), ("line", _count_or_null),
                ("rust", _str_or_null), ("caption", _str), ("notes", _strs),
                ("touched", partial(_record, schema=_TOUCHED)))
_ERROR = (("kind", "op_path", "message"), ("step",), (
    ("kind", _str), ("op_path", _str), ("message", _str), ("step", _count_or_null)))
_TRACE = ("format", "pyo3", "features", "cfg", "program", "error", "labels", "steps", "final")
_TRACE_OPT = ("steps_from", "executed_ops", "free_threaded")
_TRACE_HEAD = (("pyo3", _str), ("features", _strs), ("cfg", _strs))


# ---- pyclass instances (issue 13) -------------------------------------------------------------
def _class_fields(cls, path, classes):
    """The fields an object's class declares (none for a plain object)."""
    if _str_or_null(cls, path) is None:
        return set()
    if cls not in classes:
        raise TraceFileError(path, f"{cls!r} is not a class the program declares")
    return set(classes[cls].fields)


def _check_pyclass_object(o, p, classes, ids):
    """An object's issue-13 keys: its class is declared, its fields are that class's, each
    holding null or an object of the state, its borrow flag a count or "exclusive"."""
    want = _class_fields(o["class"], f"{p}.class", classes)
    fields = _type(o["fields"], dict, f"{p}.fields", "an object")
    if set(fields) != want:
        raise TraceFileError(f"{p}.fields", f"expected the fields {sorted(want)}, got {sorted(fields)}")
    for f, v in fields.items():
        _held(v, f"{p}.fields.{f}", ids)
    _borrow(o["borrow"], f"{p}.borrow")
    _bool(o["gc_tracked"], f"{p}.gc_tracked")


def _check_last_gc(g, path, ids):
    if g is None:
        return
    _keys(g, path, _LAST_GC)
    found, freed = _strs(g["found"], f"{path}.found"), _strs(g["freed"], f"{path}.freed")
    _all_in_state(found, f"{path}.found", ids)
    _all_in_state(freed, f"{path}.freed", ids)
    if not set(freed) <= set(found):
        raise TraceFileError(f"{path}.freed", "every freed object must be among those found")
    if _count(g["returned"], f"{path}.returned") != len(found):
        raise TraceFileError(f"{path}.returned", f"expected {len(found)} (the number found)")


def _last_gc_key(d, path, classes, ids):
    """A state has `last_gc` exactly when its program declares classes."""
    if classes is None:
        if "last_gc" in d:
            raise TraceFileError(f"{path}.last_gc", "only a program that declares classes has it")
        return
    if "last_gc" not in d:
        raise TraceFileError(path, "missing key 'last_gc' (the program declares classes)")
    _check_last_gc(d["last_gc"], f"{path}.last_gc", ids)


# ---- states, steps, the trace -------------------------------------------------------------------
def _check_objects(d, path, classes):
    objects = _type(d["objects"], dict, f"{path}.objects", "an object")
    pyclass = classes is not None
    for k, o in objects.items():
        p = f"{path}.objects.{k}"
        _record(o, p, _OBJECT[pyclass])
        if pyclass:
            _check_pyclass_object(o, p, classes, objects)
    _last_gc_key(d, path, classes, objects)


def check_state(d, path, classes):
    """A state as `State.to_dict` writes it; `classes`: the program's declared classes, or
    None when it declares none (its objects then have no pyclass keys)."""
    _keys(d, path, _STATE, _STATE_OPT + ("last_gc",))
    _check_objects(d, path, classes)
    _walk(d, f"{path}.", _STATE_CHECKS)


def check_step(s, i, path, classes, first):
    _keys(s, path, _STEP_KEYS)
    if _count(s["index"], f"{path}.index") != first + i:
        raise TraceFileError(f"{path}.index", f"expected {first + i} (steps are in order), got {s['index']}")
    _walk(s, f"{path}.", _STEP_CHECKS)
    check_state(s["state"], f"{path}.state", classes)


def _declared(program):
    """The program's classes, or None when it declares none (no pyclass keys then)."""
    return program.classes if "classes" in program.raw else None


def _program(v):
    if not isinstance(v, dict):
        raise TraceFileError("program", "expected the program object")
    return prog.parse(v)


def _steps(v):
    steps = _type(v, list, "steps", "a list")
    if not steps or len(steps) > MAX_TRACE_STEPS:
        raise TraceFileError("steps", f"expected 1 to {MAX_TRACE_STEPS:,} steps, got {len(steps):,}")
    return steps


def _flag(v, path):
    if not isinstance(v, bool):
        raise TraceFileError(path, "expected true or false")


def _check_labels(labels, first, n):
    """Each label names a step of the trace (of steps first … first+n-1)."""
    for k, v in _type(labels, dict, "labels", "an object").items():
        _count(v, f"labels.{k}")
        if not first <= v < first + n:
            raise TraceFileError(f"labels.{k}", f"step {v} is not in the trace")


def check_trace(d):
    """Check a trace dict as `Trace.to_dict` writes it; returns the parsed program."""
    from .trace import TRACE_FORMAT
    if not isinstance(d, dict):
        raise TraceFileError("trace", f"expected a JSON object, got {type(d).__name__}")
    if d.get("format") != TRACE_FORMAT:
        raise TraceFileError("format", f"expected {TRACE_FORMAT!r}, got {d.get('format')!r}")
    _keys(d, "trace", _TRACE, _TRACE_OPT)
    _walk(d, "", _TRACE_HEAD)
    program = _program(d["program"])
    steps = _steps(d["steps"])
    first = _count(d.get("steps_from", 0), "steps_from")
    _walk(d, "", (("executed_ops", _count), ("free_threaded", _flag)))
    classes = _declared(program)
    for i, s in enumerate(steps):
        check_step(s, i, f"steps[{i}]", classes, first)
    check_state(d["final"], "final", classes)
    if d["error"] is not None:
        _record(d["error"], "error", _ERROR)
    _check_labels(d["labels"], first, len(steps))
    return program


def parse_json(text):
    """The trace dict from JSON text or bytes (or a dict), with the same strictness as programs."""
    if isinstance(text, dict):
        return text
    text = prog.json_text(text, MAX_TRACE_BYTES, lambda m: TraceFileError("trace", m),
                          "JSON larger", "JSON text, bytes or a dict")
    return prog.strict_json(text, "trace")
