"""A `#[pyclass]` whose fields are `Option<Py<PyAny>>`: creating its type, and writing,
taking and clearing its fields (issue 13).

Mirrors PyO3's `src/pyclass/create_type_object.rs` (0.20.3 – 0.29.3: the type gets
`Py_TPFLAGS_HAVE_GC` only with a `__traverse__` slot, and `__clear__` without `__traverse__`
is a `TypeError` when the type is created; 0.30.1: every pyclass is a GC type and that
combination is a compile-time assertion, E0080) and the Rust drop of a pyclass value inside
`tp_dealloc` (`src/impl_/trampoline.rs` `dealloc`, `src/pycell/impl_.rs`
`tp_dealloc`): its fields drop in declaration order, each a `Py<T>` released while attached.
What differs between releases is read from `versions.Profile`.

Simplification: a field write is shown as one step, without the `borrow_mut()` it is written
through (that borrow begins and ends within the statement); it still conflicts with a borrow
held by another handle, as the real `borrow_mut()` would.
Simplification: `set_field` over a full field releases the old value first and then stores
the new one (Rust clones the new value first and drops the old one on assignment); the
refcounts after the op are the same, since the value and the object are both held by handles.
Simplification: a freed instance releases its fields after its dealloc trampoline has drained
POOL (in PyO3 the drop runs inside that trampoline; the order of the two steps differs only
when POOL had something to drain).
"""

from __future__ import annotations

from types import SimpleNamespace

from . import errors, heap
from .events import E
from ..store.names import K

MUT_KINDS = (K.PYREFMUT, K.GUARD_MUT)  # handles a field can be written through
SHARED_KINDS = (K.PYREF, K.GUARD)
PANIC_BORROWED = "Already borrowed: PyBorrowMutError"


def check_types(r):
    """Create every declared class's type object, as the module's `add_class` does: a class
    with `clear` but no `traverse` is refused (the error the release gives)."""
    for name, c in r.program.classes.items():
        if c.clear and not c.traverse:
            raise _clear_without_traverse(r.prof, name)


def _clear_without_traverse(prof, name):
    if prof.clear_without_traverse == "compile_error":
        e = errors.compile_error(
            "evaluation panicked: an implementation of `__clear__` requires an implementation "
            f"of `__traverse__` (class `{name}`). Fix: add `fn __traverse__` visiting every "
            "field, or remove `__clear__`.", "E0080")
    else:
        e = errors.RustError(
            "exception",
            f"RuntimeError: An error occurred while initializing class {name} (caused by "
            f"TypeError: `#[pyclass]` {name} implements __clear__ without __traverse__). "
            "Fix: add `fn __traverse__` visiting every field, or remove `__clear__`.")
    e.op_path = f"classes.{name}"
    return e


def created(r, oid, cls_name):
    """A new instance of a declared class: its fields start as `None`. An instance of a Python
    subclass is always tracked: CPython gives a subclass with a `__dict__` the GC flag."""
    c = r.program.classes[cls_name]
    tracked = c.traverse or r.prof.pyclass_always_gc or c.subclass_holds_instance
    r.m.set_class(oid, (c.name, c.fields, tracked))


def subclassed(r, oid):
    """Whether `oid` is an instance of the Python subclass its class declares (#6269)."""
    info = r.m.class_of(oid)
    return bool(info) and r.program.classes[info[0]].subclass_holds_instance


def held_by_subclass(r, op, oid):
    """`class Sub(Node): pass; Sub.me = Sub(); del Sub`: for a class with
    `subclass_holds_instance`, `new` makes an instance of a fresh Python subclass, whose class
    attribute `me` takes a reference to it; the instance in turn holds its type (`ob_type`).

    Simplification: the subclass type (with its dict, MRO tuple and other internals) is not an
    object of the program; the steps name it "the subclass type of oN", and a collection says
    in a note whether it was found and freed (CPython counts its internal objects in
    `gc.collect()`'s result, the model's `returned` counts only the program's objects)."""
    if subclassed(r, oid):
        _subclass_api(op)
        heap.incref(r, oid, E.set_field, op, {"field": "me", "obj": oid, "subclass": True})


def _subclass_api(op):
    """#6269's program hands the instance out as a `Py` or a `Bound` only.

    Simplification: real PyO3 could also hold it as a GIL ref (0.20, `gil-refs`); the witness
    does not build that spelling, so the model refuses it with the witness's error kind."""
    if op.d.get("api") not in ("py", "bound"):
        raise errors.compile_error(
            "a `subclass_holds_instance` class is instantiated from Python and handed out as a "
            "`Py` or a `Bound` only. Fix: `\"api\": \"py\"` or `\"bound\"`", "E0308")


def _field_index(r, oid, field, h):
    info = r.m.class_of(oid)
    names = info[1] if info else ()
    if field not in names:
        what = f"`{info[0]}`" if info else "a plain `#[pyclass]` without fields"
        raise errors.compile_error(f"no field `{field}` on `{h.name}`, {what}. Fix: use a "
                                   "handle to an object of a class that declares it", "E0609")
    return names.index(field)


def _target(r, op):
    """The handle a field op writes through, its object and the field's index."""
    from . import instance  # instance imports this module
    d = op.d
    h = instance.use(r, op, d["src"])
    instance.need_token(r, "writing a #[pyclass] field")
    oid = instance._obj(r, h, op)
    if h.kind in SHARED_KINDS:
        raise errors.compile_error(
            f"cannot assign to a field behind `{h.name}`, a shared borrow (`PyRef` / "
            "`PyClassGuard`). Fix: borrow it with `borrow_mut()` instead", "E0594")
    if h.kind not in MUT_KINDS and r.m.pyc[2].get(oid, 0):
        raise errors.RustError("panic", PANIC_BORROWED + f" (`{h.name}.borrow_mut()` while "
                               "another handle borrows it). Fix: drop the other borrow first")
    return h, oid, _field_index(r, oid, d["field"], h)


def _release(r, oid, idx, op, extra):
    """The field's old value, if any, is dropped (a `Py<T>` dropped while attached)."""
    old = r.m.pyc[1][oid][idx]
    if old >= 0:
        r.m.set_field(oid, idx, -1)
        heap.decref(r, old, E.clear_field, op, extra)
    return old


def op_set_field(r, op):
    from . import instance
    h, oid, idx = _target(r, op)
    value = op.d["value"]
    if value is None:
        return op_clear_field(r, op)
    v = instance.use(r, op, value)
    voi = instance._obj(r, v, op)
    extra = {"field": op.d["field"], "obj": oid}
    _release(r, oid, idx, op, {**extra, "replaced": True})
    r.m.set_field(oid, idx, voi)
    heap.incref(r, voi, E.set_field, op, extra)


def op_clear_field(r, op):
    _, oid, idx = _target(r, op)
    extra = {"field": op.d["field"], "obj": oid}
    if _release(r, oid, idx, op, extra) < 0:
        r.step(E.clear_field, op, -1, -1, extra)  # it held nothing: nothing changes


def op_take_field(r, op):
    _, oid, idx = _target(r, op)
    old = r.m.pyc[1][oid][idx]
    if old < 0:
        raise errors.RustError("panic", "called `Option::unwrap()` on a `None` value (field "
                               f"`{op.d['field']}` is empty). Fix: check it with `if let Some(..)`")
    r.m.set_field(oid, idx, -1)
    h = r.introduce(op.d["as"], K.PY, old, True, None)
    r.step(E.take_field, op, old, h.hid, {"field": op.d["field"], "obj": oid})


def release_fields(r, oid, op, by_gc=False):
    """A freed instance drops its fields, in declaration order; so does its `__clear__`
    (`by_gc`: the collector calls it, and the steps say so)."""
    fields = r.m.pyc[1].get(oid) or ()
    names = r.m.class_of(oid)[1] if fields else ()
    for idx, v in enumerate(fields):
        if v >= 0:
            _RELEASE[by_gc](r, oid, idx, v, names[idx], op)


def _dropped_with(r, oid, idx, v, name, op):
    _release(r, oid, idx, op, {"field": name, "obj": oid, "freed": oid})


def _cleared_by_gc(r, oid, idx, v, name, op):
    r.m.set_field(oid, idx, -1)
    heap.decref(r, v, E.gc_free, op, {"container": oid, "field": name})


_RELEASE = {False: _dropped_with, True: _cleared_by_gc}


def class_path(name):
    """A stand-in op for errors raised before the first op (the op path `classes.NAME`)."""
    return SimpleNamespace(path=f"classes.{name}", index=-1, line=None, d={}, kind="classes")
