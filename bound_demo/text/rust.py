"""The Rust each op stands for, spelled as the modelled release spells it.

Used for a step's `.rust` when a program carries no Rust source of its own. Spellings follow
each release's public API: `PyCell::new` and `PyList::empty` (GIL refs, 0.20–0.22),
`*_bound` constructors (0.21, 0.22), the plain names again from 0.23, `Python::attach` /
`py.detach` from 0.26. 0.30 spells every op as 0.29 does: none of the APIs the ops name was
removed or deprecated there (v0.30.1 CHANGELOG, `#[deprecated]` items in src/).
"""

from __future__ import annotations

_CTOR = {"list": "PyList::empty", "dict": "PyDict::new", "tuple": "PyTuple::new"}


def _ctor(op, prof):
    t, api = op.get("type"), op.get("api")
    items = op.get("items") or []
    if t == "object":
        return _object_ctor(op)
    args = ", ".join(f"&{i}" for i in items)
    if t == "list":
        name = "PyList::new" if items else "PyList::empty"
    elif t == "tuple":
        name = "PyTuple::new" if items else "PyTuple::empty"
    else:
        name = "PyDict::new"
    suffix = "_bound" if api == "bound" and prof.bound_suffix else ""
    call = f"{name}{suffix}(py" + (f", [{args}])" if items else ")")
    if api == "bound" and t in ("list", "tuple") and items and not prof.bound_suffix:
        call += "?"  # fallible from 0.23
    return call


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
    **dict.fromkeys(("borrow", "borrow_mut", "try_borrow", "try_borrow_mut", "guard",
                     "guard_mut"), _borrow_call),
}


def _pyclass_rust(op, prof):
    """{kind: Rust} for the op if it is one of the pyclass ops, else {}."""
    f = _PYCLASS.get(op.kind)
    return {op.kind: f(op, prof)} if f else {}


def _object_ctor(op):
    value = f"{op.get('class')}::default()" if op.get("class") else "Obj {}"
    return {"gil_ref": f"PyCell::new(py, {value})?", "bound": f"Bound::new(py, {value})?",
            "py": f"Py::new(py, {value})?"}[op.get("api")]


def rust_for(op, prof) -> str:
    k, d = op.kind, op.d
    a, s = d.get("as"), d.get("src")
    acq, rel = ("Python::attach", "py.detach") if prof.attach_names else ("Python::with_gil", "py.allow_threads")
    if k in ("with_gil", "attach", "gil"):
        name = {"with_gil": "Python::with_gil", "attach": "Python::attach", "gil": acq}[k]
        return (f"let {a} = " if a else "") + f"{name}(|py| {{"
    if k in ("allow_threads", "detach", "nogil"):
        name = rel if k == "nogil" else f"py.{k}"
        return (f"let {a} = " if a else "") + f"{name}(|| {{"
    if k == "pyfunction":
        fn = d.get("name", "f")
        return f"#[pyfunction] fn {fn}(py: Python<'_>) {{   // called from Python" + (
            f" as {a} = {fn}()" if a else "")
    if k == "new_pool":
        return "let pool = unsafe { py.new_pool() }; let py = pool.python();"
    if k == "with_pool":
        return "py.with_pool(|py| {"
    if k == "repeat":
        return f"for _ in 0..{d['times']} {{"
    if k == "thread":
        return (f"let {a} = " if a else "") + f"std::thread::scope(|s| s.spawn(move || {{  // thread {d['name']}"
    if k == "new":
        return f"let {a} = {_ctor(op, prof)};"
    simple = {
        "clone": f"let {a} = {s}.clone();",
        "clone_ref": f"let {a} = {s}.clone_ref(py);",
        "drop": f"drop({s});",
        "drop_ref": f"{s}.drop_ref(py);",
        "unbind": f"let {a} = {s}.unbind();",
        "into_bound": f"let {a} = {s}.into_bound(py);",
        "bind": f"let {a} = {s}.bind(py);",
        "bind_borrowed": f"let {a} = {s}.bind_borrowed(py);",
        "as_borrowed": f"let {a} = {s}.as_borrowed();",
        "to_owned": f"let {a} = {s}.to_owned();",
        "into_gil_ref": f"let {a} = {s}.into_gil_ref();",
        "as_gil_ref": f"let {a} = {s}.as_gil_ref();",
        "into_py": f"let {a}: Py<PyAny> = {s}.into_py(py);",
        "into_ref": f"let {a} = {s}.into_ref(py);",
        "as_ref": f"let {a} = {s}.as_ref(py);",
        "append": f"{s}.append(&{d.get('item')})?;",
        "get_item": f"let {a} = {s}.get_item({d.get('index')})?;",
        "get_borrowed_item": f"let {a} = {s}.get_borrowed_item({d.get('index')})?;",
        "send": f"// move `{s}` into thread {d.get('to')}'s closure",
        "return": f"{s}   // returned",
        "py_del": f"del {s}   # Python",
        "probe": f"// probe: {d.get('label')}",
        **_pyclass_rust(op, prof),
    }
    return simple.get(k, k)
