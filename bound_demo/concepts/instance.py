"""Handles: GIL refs (`&'py PyAny`), `Bound<'py, T>`, `Borrowed<'a, 'py, T>`, `&Bound` and
`Py<T>`, and what each of their operations does to refcounts and pools.

Mirrors v0.20.3:src/instance.rs (`Py`: `as_ref` L307,
`into_ref` L354, `clone_ref` L577, `Clone`/`Drop` L999-L1015), src/conversion.rs
(`from_owned_ptr` registers, `from_borrowed_ptr` does not, L544-L553), src/types/list.rs
L127-L133 (`PyList::get_item`: +1 then registered) and src/types/tuple.rs L154-L159
(`PyTuple::get_item`: a borrowed cast); v0.21.2:src/instance.rs (`Bound` `Clone`/`Drop`
L400-L412, `unbind` L473, `as_gil_ref`/`into_gil_ref` L491-L515, `Borrowed` L531-L697,
`Py::bind`/`into_bound`/`bind_borrowed` L1264-L1279, `drop_ref` L1348); v0.29.2 unchanged
(src/instance.rs L820-L999).

Each `op_*` function first checks Rust's rules (moves, borrows, `'py`, `Send`), then calls
the heap, pool and reference-pool primitives that do the PyO3 work.
"""

from __future__ import annotations

from .. import timeline
from . import brc, errors, gilpool, heap, pycell, pyclass, reference_pool
from .errors import need_token
from .events import E
from ..store.names import COPY_KINDS, K, S, ObjType

RETURN = getattr(E, "return")  # `return` is a keyword, so the event is not an attribute name

OPS = ("new", "clone", "clone_ref", "drop", "drop_ref", "unbind", "into_bound", "bind",
       "bind_borrowed", "as_borrowed", "to_owned", "into_gil_ref", "as_gil_ref", "into_py",
       "into_ref", "as_ref", "append", "get_item", "get_borrowed_item")
KIND_WORDS = {
    K.GIL_REF: "GIL ref (`&'py PyAny`)", K.BOUND: "`Bound<'py, T>`",
    K.BORROWED: "`Borrowed<'a, 'py, T>`", K.BOUND_REF: "`&Bound<'py, T>`",
    K.PY: "`Py<T>`", K.PYTHON: "`Python<'py>` token",
    K.PYREF: "`PyRef<'py, T>`", K.PYREFMUT: "`PyRefMut<'py, T>`",
    K.GUARD: "`PyClassGuard<'a, T>`", K.GUARD_MUT: "`PyClassGuardMut<'a, T>`",
}
# The PyO3 type of each object type, by the code the state stores.
TYPE_NAMES = {ObjType.OBJECT.code: "PyAny", ObjType.LIST.code: "PyList",
              ObjType.DICT.code: "PyDict", ObjType.TUPLE.code: "PyTuple"}


class Value:
    """A value leaving a block (`return`): what the enclosing scope receives."""

    __slots__ = ("name", "kind", "oid", "owns", "borrows", "token", "region")

    def __init__(self, h):
        self.name, self.kind, self.oid, self.owns = h.name, h.kind, h.oid, h.owns
        self.borrows, self.token, self.region = h.borrows, h.token, h.region


# ---- API availability per release (read from the profile) ----------------------------------
def _gil_ref_missing(prof, what):
    if prof.gil_refs_behind_feature:
        return errors.absent(what, prof.pyo3, "in 0.22 the GIL Refs API needs the `gil-refs` "
                             "feature; better, use the Bound API (`Bound::new`, `*_bound`).")
    if prof.bound_api:
        return errors.absent(what, prof.pyo3, f"GIL Refs and the pool were removed in "
                             f"{timeline.entry('GILPool')['removed']}; use `Bound<'py, T>`, which "
                             f"releases its reference when dropped.")
    return errors.absent(what, prof.pyo3, "this needs PyO3 0.21 or newer.")


def _bound_missing(prof, what):
    return errors.absent(what, prof.pyo3, "the Bound API (`Bound`, `Borrowed`, `Py::bind`) "
                         f"arrives in {timeline.entry('Bound<' + chr(39) + 'py, T>')['added']}; "
                         "in 0.20 use GIL refs (`PyCell::new`) or `Py<T>`.")


GIL_REF_NOTE = ("deprecated in {v}: GIL Refs (`&'py PyAny`) are on their way out; use the Bound "
                "API{feat}.")
BOUND_ONLY = ("unbind", "into_bound", "bind", "bind_borrowed", "as_borrowed", "to_owned",
              "drop_ref", "get_borrowed_item")


def api_check(prof, op):
    """(error, notes) for an op in this release: absent APIs and deprecation notes."""
    notes = []
    check = _API_CHECKS.get(op.kind)
    err = check(prof, op, notes) if check is not None else None
    return err, notes


def _gil_ref_note(prof):
    return GIL_REF_NOTE.format(
        v=prof.pyo3, feat=" (the `gil-refs` feature only silences the warning in 0.21)"
        if prof.gil_refs_feature_silences else "")


# Each check below returns the error for an op absent in this release (or None) and appends
# the op's deprecation notes to `notes`.
def _check_with_gil_names(prof, op, notes):
    k = op.kind
    new = "attach" if k == "with_gil" else "detach"
    api = "Python::with_gil" if k == "with_gil" else "Python::allow_threads"
    if not prof.with_gil_names:
        return errors.absent(api, prof.pyo3, f"renamed `{new}` ({timeline.phrase(api)}); "
                             f"use `{new}`.")
    if prof.with_gil_deprecated:
        notes.append(f"deprecated since {timeline.entry(api)['deprecated']}: `{api}` was "
                     f"renamed `{new}`.")
    return None


def _check_attach_names(prof, op, notes):
    k = op.kind
    if not prof.attach_names:
        old = "with_gil" if k == "attach" else "allow_threads"
        return errors.absent(f"Python::{k}", prof.pyo3, f"`{k}` arrives in "
                             f"{timeline.entry(f'Python::{k}')['added']}; in this "
                             f"release use `{old}`.")
    return None


def _check_pool(prof, op, notes):
    k = op.kind
    if not prof.gil_ref_api:
        return _gil_ref_missing(prof, f"Python::{k}")
    if prof.gil_ref_deprecated:
        notes.append(f"deprecated in {prof.pyo3}: `GILPool` and `{k}` go with GIL Refs; "
                     f"with the Bound API nothing waits in a pool.")
    return None


def _check_new(prof, op, notes):
    api = op.d["api"]
    if api == K.GIL_REF:
        return _check_gil_ref(prof, "PyCell::new / GIL-ref constructors", notes)
    if api == K.BOUND and not prof.bound_api:
        return _bound_missing(prof, "Bound::new` / `PyList::empty_bound")
    return None


def _check_gil_ref(prof, what, notes):
    if not prof.gil_ref_api:
        return _gil_ref_missing(prof, what)
    if prof.gil_ref_deprecated:
        notes.append(_gil_ref_note(prof))
    return None


def _check_bound_only(prof, op, notes):
    return None if prof.bound_api else _bound_missing(prof, op.kind)


def _check_bound_gil_ref(prof, op, notes):
    if not prof.bound_api:
        return _bound_missing(prof, op.kind)
    return _check_gil_ref(prof, f"Bound::{op.kind}", notes)


def _check_py_gil_ref(prof, op, notes):
    return _check_gil_ref(prof, f"Py::{op.kind}", notes)


def _check_into_py(prof, op, notes):
    if not prof.into_py_api:
        return errors.absent("IntoPy::into_py", prof.pyo3, f"`IntoPy` was "
                             f"{timeline.phrase('IntoPy')}; use `.unbind()` on a Bound or "
                             f"`into_pyobject(py)?.unbind()`.")
    if prof.into_py_deprecated:
        notes.append(f"deprecated since {timeline.entry('IntoPy')['deprecated']}: `IntoPy` "
                     f"gave way to `IntoPyObject`.")
    return None


_API_CHECKS = {
    "with_gil": _check_with_gil_names, "allow_threads": _check_with_gil_names,
    "attach": _check_attach_names, "detach": _check_attach_names,
    "new_pool": _check_pool, "with_pool": _check_pool, "new": _check_new,
    **{k: _check_bound_only for k in BOUND_ONLY},
    "into_gil_ref": _check_bound_gil_ref, "as_gil_ref": _check_bound_gil_ref,
    "into_ref": _check_py_gil_ref, "as_ref": _check_py_gil_ref, "into_py": _check_into_py,
}


# ---- Rust's rules -------------------------------------------------------------------------
def use(r, op, name):
    """Resolve a handle and check that Rust would let this code use it here."""
    h = r.lookup(name, op)
    if _gone(h):
        raise errors.use_after_move(name, h.moved_at or "an earlier op")
    _check_reachable(r, h, name)
    b = next((b for b in _lenders(h) if _gone(b)), None)
    if b is not None:
        raise errors.borrow_outlived(name, b.name, b.moved_at or "an earlier op")
    if h.oid >= 0 and r.m.rc.get(h.oid) <= 0:
        raise errors.use_after_free(name, f"o{h.oid + 1}")
    return h


def _gone(h):
    """Whether a handle was moved out or dropped (a copy stays usable after it is moved)."""
    return h.status != S.LIVE and h.kind not in COPY_KINDS


def _lenders(h):
    """The handles `h` borrows from, nearest first (a borrow of a borrow, and so on)."""
    b = h.borrows
    while b is not None:
        yield b
        b = b.borrows


def _check_reachable(r, h, name):
    """A handle belongs to one thread, and only `Py<T>` may cross into a closure that runs
    without the GIL or on another thread."""
    cur = r.cur
    if h.tid != cur.tid:
        raise errors.not_sent(name, r.m.threads[cur.tid].name)
    if h.kind != K.PY and h.region is not cur.region:
        raise errors.not_send(name, KIND_WORDS[h.kind], _region_word(r))


def _region_word(r):
    """How the error names the closure a handle may not enter."""
    block = r.cur.block
    if block is not None and block.kind == "thread":
        return "this thread"
    return f"the `{'detach' if r.prof.attach_names else 'allow_threads'}` closure"


def move(r, h, op):
    h.status, h.moved_at = S.MOVED, op.path
    r.publish(h)


def _obj(r, h, op):
    if h.oid < 0:
        raise errors.compile_error(f"`{h.name}` is a `Python<'py>` token, not a Python object",
                                   "E0308")
    return h.oid


def _kind_error(h, method, fix):
    return errors.compile_error(f"no method `{method}` on `{h.name}`, a {KIND_WORDS[h.kind]}. "
                                f"Fix: {fix}", "E0599")


# ---- drops ---------------------------------------------------------------------------------
def drop_handle(r, h, op, implicit):
    """`drop(h)` or the implicit drop at scope end, with that handle kind's effect."""
    op = op or r.current_op
    if h.kind in pycell.BORROW_KINDS:
        return pycell.release(r, h, op, implicit)
    if h.kind in COPY_KINDS:
        if not implicit:
            r.step(E.drop, op, h.oid, -1, {"name": h.name, "copy": True})
        return
    if h.kind == K.PY and r.m.threads[r.cur.tid].count <= 0:
        _check_detached_py_drop(r.prof)
    h.status, h.moved_at = S.DROPPED, op.path if op else None
    r.publish(h)
    event = E.implicit_drop if implicit else E.drop
    extra = {"name": h.name}
    if h.kind == K.BOUND:
        heap.decref(r, h.oid, event, op, extra)
    else:
        reference_pool.register_decref(r, h.oid, op, event, extra)


def _check_detached_py_drop(prof):
    """A `Py<T>` dropped without the GIL, in a build that has no reference pool to queue its
    decref: the process aborts, or (with the leak cfg of 0.30) the drop never returns. Either
    way it happens before anything changes."""
    if not prof.reference_pool and not prof.leak_without_pool:
        raise errors.abort_without_pool()
    if prof.leak_drop_never_returns:
        raise errors.leak_drop_never_returns()


# ---- ops -----------------------------------------------------------------------------------
def op_new(r, op):
    need_token(r, "creating a Python object")
    d, m = op.d, r.m
    names = d.get("items")
    items = [_obj(r, use(r, op, n), op) for n in names] if names else ()
    oid = m.new_object(heap.TYPECODE[d["type"]])
    if "class" in d:
        pyclass.created(r, oid, d["class"])  # a declared #[pyclass]: its fields start empty
    brc.created(r, oid)  # free-threaded builds: this thread owns it (concepts/brc.py)
    for it in items:
        brc.incref(r, it)
        m.set_rc(it, m.rc.get(it) + 1)
        m.item_append(oid, it)
    api = d["api"]
    if api == K.GIL_REF:
        m.pool_push(r.cur.tid, oid)  # register_owned: the pool takes the new reference
        h = r.introduce(d["as"], K.GIL_REF, oid, False, None)
    else:
        h = r.introduce(d["as"], api, oid, True, None)
    r.step(E.new, op, oid, h.hid, r.notes)
    pyclass.held_by_subclass(r, op, oid)  # #6269's program: the subclass's attribute holds it


def op_clone(r, op):
    h = use(r, op, op.d["src"])
    name = op.d["as"]
    if h.kind in (K.GIL_REF, K.BORROWED, K.PYTHON):
        r.introduce(name, h.kind, h.oid, False, h.borrows, h.token, h.region)
        r.step(E.clone, op, h.oid, -1, {"copy": True})
    elif h.kind in (K.BOUND, K.BOUND_REF):
        r.introduce(name, K.BOUND, h.oid, True, None, h.token, h.region)
        heap.incref(r, h.oid, E.clone, op)
    else:
        if not r.prof.py_clone:
            raise errors.compile_error(
                f"the method `clone` exists for `Py<T>` only with PyO3's `py-clone` feature "
                f"(from 0.22). Fix: `{h.name}.clone_ref(py)` while the GIL is held, or share an "
                f"`Arc<Py<T>>`.", "E0599")
        if r.m.threads[r.cur.tid].count <= 0 and not r.prof.deferred_increfs:
            raise errors.py_clone_panic(r.prof.gil_word)  # panics before the clone exists
        r.introduce(name, K.PY, h.oid, True, None)
        reference_pool.register_incref(r, h.oid, op, None)


def op_clone_ref(r, op):
    h = _py_only(r, op, "clone_ref", "`clone_ref` belongs to `Py<T>`; a Bound is cloned with "
                                     "`.clone()`.")
    r.introduce(op.d["as"], K.PY, h.oid, True, None)
    heap.incref(r, h.oid, E.clone_ref, op)


def op_drop(r, op):
    drop_handle(r, use(r, op, op.d["src"]), op, implicit=False)


def op_drop_ref(r, op):
    h = _py_only(r, op, "drop_ref", "`drop_ref` belongs to `Py<T>`; drop a Bound with `drop`.")
    h.status, h.moved_at = S.DROPPED, op.path
    r.publish(h)
    heap.decref(r, h.oid, E.drop_ref, op, {"name": h.name})


def op_unbind(r, op):
    h = use(r, op, op.d["src"])
    if h.kind in (K.BOUND_REF, K.BORROWED):
        raise errors.compile_error(
            f"cannot move out of `{h.name}`, which is behind a borrow ({KIND_WORDS[h.kind]}): "
            f"`unbind` takes the Bound by value. Fix: `{h.name}.clone().unbind()` (or "
            f"`{h.name}.as_unbound().clone_ref(py)`).", "E0507")
    if h.kind != K.BOUND:
        raise _kind_error(h, "unbind", "`unbind` turns a `Bound` into a `Py`; for a GIL ref use "
                                       "`.into()` or `into_py(py)` (+1).")
    move(r, h, op)
    n = r.introduce(op.d["as"], K.PY, h.oid, True, None)
    r.step(E.unbind, op, h.oid, n.hid)


def _py_only(r, op, method, fix):
    """The `Py<T>` handle a `Py` method that takes `py` is called on."""
    h = use(r, op, op.d["src"])
    if h.kind != K.PY:
        raise _kind_error(h, method, fix)
    need_token(r, f"Py::{method}(py)")
    return h


def op_into_bound(r, op):
    h = _py_only(r, op, "into_bound", "it turns a `Py` into a `Bound`.")
    move(r, h, op)
    n = r.introduce(op.d["as"], K.BOUND, h.oid, True, None)
    r.step(E.into_bound, op, h.oid, n.hid)


def op_bind(r, op):
    h = _py_only(r, op, "bind", "it borrows a `Py` as `&Bound`.")
    n = r.introduce(op.d["as"], K.BOUND_REF, h.oid, False, h)
    r.step(E.bind, op, h.oid, n.hid)


def op_bind_borrowed(r, op):
    h = _py_only(r, op, "bind_borrowed", "it borrows a `Py` as `Borrowed`.")
    n = r.introduce(op.d["as"], K.BORROWED, h.oid, False, h)
    r.step(E.bind_borrowed, op, h.oid, n.hid)


def op_as_borrowed(r, op):
    h = use(r, op, op.d["src"])
    if h.kind == K.PY:
        raise _kind_error(h, "as_borrowed", "use `bind_borrowed(py)` on a `Py`.")
    _obj(r, h, op)
    borrows = h if h.kind in (K.BOUND, K.BOUND_REF) else h.borrows
    n = r.introduce(op.d["as"], K.BORROWED, h.oid, False, borrows, h.token, h.region)
    r.step(E.as_borrowed, op, h.oid, n.hid)


def op_to_owned(r, op):
    h = use(r, op, op.d["src"])
    if h.kind == K.GIL_REF:
        # `<&PyAny as ToOwned>::to_owned` copies the reference itself.
        r.introduce(op.d["as"], K.GIL_REF, h.oid, False, h.borrows, h.token, h.region)
        r.step(E.to_owned, op, h.oid, -1, {"copy": True})
        return
    if h.kind == K.PY or h.kind == K.PYTHON:
        raise _kind_error(h, "to_owned", "for a `Py` use `clone_ref(py)`.")
    r.introduce(op.d["as"], K.BOUND, h.oid, True, None, h.token, h.region)
    heap.incref(r, h.oid, E.to_owned, op)


def op_into_gil_ref(r, op):
    h = use(r, op, op.d["src"])
    if h.kind != K.BOUND:
        raise _kind_error(h, "into_gil_ref", "it consumes an owned `Bound`.")
    move(r, h, op)
    gilpool.register_owned(r, h.oid)
    n = r.introduce(op.d["as"], K.GIL_REF, h.oid, False, None, h.token, h.region)
    r.step(E.into_gil_ref, op, h.oid, n.hid, r.notes)


def op_as_gil_ref(r, op):
    h = use(r, op, op.d["src"])
    if h.kind not in (K.BOUND, K.BOUND_REF):
        raise _kind_error(h, "as_gil_ref", "it borrows a `Bound` as a GIL ref.")
    n = r.introduce(op.d["as"], K.GIL_REF, h.oid, False, h, h.token, h.region)
    r.step(E.as_gil_ref, op, h.oid, n.hid, r.notes)


def op_into_py(r, op):
    h = use(r, op, op.d["src"])
    need_token(r, "into_py(py)")
    oid = _obj(r, h, op)
    if h.kind in (K.BOUND, K.PY):
        move(r, h, op)
        r.introduce(op.d["as"], K.PY, oid, True, None)
        r.step(E.into_py, op, oid, -1, r.notes)
    else:
        r.introduce(op.d["as"], K.PY, oid, True, None)
        heap.incref(r, oid, E.into_py, op, r.notes)


def op_into_ref(r, op):
    h = _py_only(r, op, "into_ref", "it moves a `Py` into the pool as a GIL ref.")
    move(r, h, op)
    gilpool.register_owned(r, h.oid)
    n = r.introduce(op.d["as"], K.GIL_REF, h.oid, False, None)
    r.step(E.into_ref, op, h.oid, n.hid, r.notes)


def op_as_ref(r, op):
    h = _py_only(r, op, "as_ref", "it borrows a `Py` as a GIL ref.")
    n = r.introduce(op.d["as"], K.GIL_REF, h.oid, False, h)
    r.step(E.as_ref, op, h.oid, n.hid, r.notes)


def _container(r, op, method, want):
    h = use(r, op, op.d["src"])
    oid = _obj(r, h, op)
    if h.kind == K.PY:
        raise _kind_error(h, method, f"bind it first: `{h.name}.bind(py).{method}(...)`.")
    t = r.m.types[oid]
    if t not in want:
        raise errors.compile_error(
            f"no method `{method}` on `{TYPE_NAMES[t]}` (`{h.name}` holds a "
            f"{('object', 'list', 'dict', 'tuple')[t]}).", "E0599")
    return h, oid, t


def op_append(r, op):
    h, oid, _ = _container(r, op, "append", (1,))
    item = _obj(r, use(r, op, op.d["item"]), op)
    m = r.m
    m.item_append(oid, item)
    heap.incref(r, item, E.append, op, {"container": oid})


def _check_index(r, op, oid, t):
    i = op.d["index"]
    n = r.m.item_count(oid)
    if i >= n:
        raise errors.index_error(i, n, ObjType.of(t).value)
    return r.m.item(oid, i)


def op_get_item(r, op):
    h, oid, t = _container(r, op, "get_item", (1, 3))
    item = _check_index(r, op, oid, t)
    name = op.d["as"]
    if h.kind == K.GIL_REF:
        if t == 1:
            # PyList::get_item: the C API lends a reference; PyO3 takes its own (+1) and
            # registers it in the pool (see #890).
            r.introduce(name, K.GIL_REF, item, False, None, h.token, h.region)
            gilpool.register_owned(r, item)
            heap.incref(r, item, E.get_item, op, {"registered": True})
        else:
            # PyTuple::get_item: a borrowed cast, neither counted nor registered.
            r.introduce(name, K.GIL_REF, item, False, h, h.token, h.region)
            r.step(E.get_item, op, item, -1, {"borrowed_cast": True})
    else:
        r.introduce(name, K.BOUND, item, True, None, h.token, h.region)
        heap.incref(r, item, E.get_item, op)


def op_get_borrowed_item(r, op):
    h, oid, t = _container(r, op, "get_borrowed_item", (3,))
    if h.kind == K.GIL_REF:
        raise _kind_error(h, "get_borrowed_item", "call it on a `Bound<PyTuple>`.")
    item = _check_index(r, op, oid, t)
    n = r.introduce(op.d["as"], K.BORROWED, item, False, h, h.token, h.region)
    r.step(E.get_borrowed_item, op, item, n.hid)


# ---- leaving a block -----------------------------------------------------------------------
LIFETIME_BLOCKS = ("with_gil", "attach", "gil", "new_pool", "with_pool")


def do_return(r, op):
    """`return src` as the last op of a body: checks what may leave this block, moves it out."""
    h = use(r, op, op.d["src"])
    block = r.cur.block
    _check_may_leave(r, h, block.kind if block is not None else None)
    b = next((b for b in _lenders(h) if b.kind in (K.BOUND, K.PY)
              and any(b in scope for scope in r.cur.scopes)), None)
    if b is not None:
        raise errors.compile_error(
            f"cannot return `{h.name}`: it borrows from `{b.name}`, which this block owns "
            f"and drops at its end (returns a value referencing data owned by the current "
            f"function). Fix: return an owned handle (`.to_owned()`, `.clone()`, or the "
            f"`{b.name}` itself).", "E0515")
    v = Value(h)
    if h.kind not in COPY_KINDS:
        move(r, h, op)
        r.m.flight_push(h.oid)  # the owned reference travels out with the value
    r.step(RETURN, op, h.oid, -1)
    return v


def _check_may_leave(r, h, bk):
    """What kind of handle may leave a block of kind `bk`: nothing tied to this block's `'py`
    token, only `Send` handles out of a GIL-less closure or a thread, no token to Python."""
    if bk in LIFETIME_BLOCKS and h.kind != K.PY and h.token is r.cur.token:
        raise errors.lifetime_escape(h.name, KIND_WORDS[h.kind], bk)
    if bk in ("allow_threads", "detach", "nogil", "thread") and h.kind != K.PY:
        raise errors.not_send(h.name, KIND_WORDS[h.kind], f"the value returned from `{bk}`")
    if bk == "pyfunction" and h.kind == K.PYTHON:
        raise errors.compile_error("a `Python<'py>` token cannot be returned to Python", "E0277")


def to_python(r, op, v):
    """`IntoPy` for a `#[pyfunction]`'s return value: owned handles move, others take +1."""
    if v.kind in (K.BOUND, K.PY):
        return v
    r.m.flight_push(v.oid)  # the new reference is the one Python will receive
    heap.incref(r, v.oid, RETURN, op, {"to_python": True})
    v.owns = True
    return v
