"""The Rust each op stands for, spelled as the modelled release spells it.

Used for a step's `.rust` when a program carries no Rust source of its own. Spellings follow
each release's public API: `PyCell::new` and `PyList::empty` (GIL refs, 0.20–0.22),
`*_bound` constructors (0.21, 0.22), the plain names again from 0.23, `Python::attach` /
`py.detach` from 0.26. 0.30 spells every op as 0.29 does: none of the APIs the ops name was
removed or deprecated there (v0.30.1 CHANGELOG, `#[deprecated]` items in src/).
"""

from __future__ import annotations

from ..format.program import BORROW_OPS

# (type, has items) -> the constructor; any other type is a dict.
_CTORS = {("list", False): "PyList::empty", ("list", True): "PyList::new",
          ("tuple", False): "PyTuple::empty", ("tuple", True): "PyTuple::new"}


def _ctor(op, prof):
    if op.get("type") == "object":
        return _object_ctor(op)
    items = op.get("items") or []
    name = _CTORS.get((op.get("type"), bool(items)), "PyDict::new")
    return name + _bound_spelling(op.get("api") == "bound", items, prof)


def _items_arg(items):
    """The rest of a constructor's arguments after `py`: the items, if it has any."""
    return ", [" + ", ".join(f"&{i}" for i in items) + "]" if items else ""


def _bound_spelling(bound, items, prof):
    """A constructor's `_bound` suffix, its arguments and its `?`. Only lists and tuples take
    items (the checker refuses others); building a Bound one from items is fallible from 0.23,
    the first release without the `_bound` constructors."""
    if not bound:
        return f"(py{_items_arg(items)})"
    if prof.bound_suffix:
        return f"_bound(py{_items_arg(items)})"
    return f"(py{_items_arg(items)})" + ("?" if items else "")


def _value(op, prof):
    v = op.get("value")
    return f"Some({v}.into())" if not prof.bound_api else f"Some({v}.clone().unbind())"


def _borrow_call(op, prof):
    a, s, k = op.get("as"), op.get("src"), op.kind
    if k in ("guard", "guard_mut"):
        t = "PyClassGuardMut" if k == "guard_mut" else "PyClassGuard"
        return f"let {a} = {s}.extract::<{t}<'_, T>>()?;"
    q = "?" if k.startswith("try_") else ""
    return f"let {a} = {s}.{k}(){q};"


def _import_gc(prof):
    name = "import_bound" if prof.bound_suffix else "import"
    return f'py.{name}("gc")?.call_method0("collect")?;'


# The Rust of the pyclass ops (issue 13), per era: 0.20 writes through `&PyCell<T>`, whose
# values are GIL refs (`.into()` makes the Py); 0.21+ clones a Bound and unbinds it.
_PYCLASS = {
    "set_field": lambda op, prof: (
        f"{op.get('src')}.borrow_mut().{op.get('field')} = "
        + ("None;" if op.get("value") is None else f"{_value(op, prof)};")),
    "take_field": lambda op, prof: (
        f"let {op.get('as')} = {op.get('src')}.borrow_mut().{op.get('field')}.take().unwrap();"),
    "clear_field": lambda op, prof: f"{op.get('src')}.borrow_mut().{op.get('field')} = None;",
    "gc_collect": lambda op, prof: _import_gc(prof),
    **dict.fromkeys(BORROW_OPS, _borrow_call),
}


def _object_ctor(op):
    value = f"{op.get('class')}::default()" if op.get("class") else "Obj {}"
    return {"gil_ref": f"PyCell::new(py, {value})?", "bound": f"Bound::new(py, {value})?",
            "py": f"Py::new(py, {value})?"}[op.get("api")]


# The release-neutral blocks, as (before 0.26, from 0.26) spell them.
_NEUTRAL = {"gil": ("with_gil", "attach"), "nogil": ("allow_threads", "detach")}
# Blocks whose result an `as` may name (`let a = ...`), as `str.format` templates.
_LET_BLOCKS = {
    "with_gil": "Python::with_gil(|py| {{",
    "attach": "Python::attach(|py| {{",
    "allow_threads": "py.allow_threads(|| {{",
    "detach": "py.detach(|| {{",
    "thread": "std::thread::scope(|s| s.spawn(move || {{  // thread {name}",
}
# Every other op but `new`, `pyfunction` and the pyclass ops, as `str.format` templates over
# the op's keys (a: as, s: src).
_TEMPLATES = {
    "new_pool": "let pool = unsafe {{ py.new_pool() }}; let py = pool.python();",
    "with_pool": "py.with_pool(|py| {{",
    "repeat": "for _ in 0..{times} {{",
    "clone": "let {a} = {s}.clone();",
    "clone_ref": "let {a} = {s}.clone_ref(py);",
    "drop": "drop({s});",
    "drop_ref": "{s}.drop_ref(py);",
    "unbind": "let {a} = {s}.unbind();",
    "into_bound": "let {a} = {s}.into_bound(py);",
    "bind": "let {a} = {s}.bind(py);",
    "bind_borrowed": "let {a} = {s}.bind_borrowed(py);",
    "as_borrowed": "let {a} = {s}.as_borrowed();",
    "to_owned": "let {a} = {s}.to_owned();",
    "into_gil_ref": "let {a} = {s}.into_gil_ref();",
    "as_gil_ref": "let {a} = {s}.as_gil_ref();",
    "into_py": "let {a}: Py<PyAny> = {s}.into_py(py);",
    "into_ref": "let {a} = {s}.into_ref(py);",
    "as_ref": "let {a} = {s}.as_ref(py);",
    "append": "{s}.append(&{item})?;",
    "get_item": "let {a} = {s}.get_item({index})?;",
    "get_borrowed_item": "let {a} = {s}.get_borrowed_item({index})?;",
    "send": "// move `{s}` into thread {to}'s closure",
    "return": "{s}   // returned",
    "py_del": "del {s}   # Python",
    "probe": "// probe: {label}",
    "get_item_unchecked": "let {a} = unsafe {{ {s}.get_item_unchecked({index}) }};",
    "gil_protected": "GILPROTECTED.get(py);  // static GILPROTECTED: GILProtected<T>",
}


def _pyfunction(op, prof):
    fn, a = op.get("name", "f"), op.get("as")
    return f"#[pyfunction] fn {fn}(py: Python<'_>) {{   // called from Python" + (
        f" as {a} = {fn}()" if a else "")


_OWN_RUST = {"new": lambda op, prof: f"let {op.get('as')} = {_ctor(op, prof)};",
             "pyfunction": _pyfunction, **_PYCLASS}


def rust_for(op, prof) -> str:
    d = op.d
    k = _NEUTRAL[op.kind][prof.attach_names] if op.kind in _NEUTRAL else op.kind
    if k in _LET_BLOCKS:
        return (f"let {d['as']} = " if d.get("as") else "") + _LET_BLOCKS[k].format(name=d.get("name"))
    if k in _OWN_RUST:
        return _OWN_RUST[k](op, prof)
    template = _TEMPLATES.get(k, k)
    return template.format(a=d.get("as"), s=d.get("src"), item=d.get("item"), index=d.get("index"),
                           to=d.get("to"), label=d.get("label"), times=d.get("times"))
