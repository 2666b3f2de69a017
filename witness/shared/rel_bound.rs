//! Each program op spelled with the exact API of the Bound-era releases, PyO3 0.21.2 to 0.29.3
//! (the exact crate is named by the build's `lib.rs`, `PYO3_CRATE`). What changed between them
//! is switched by crate features named after the capability, never after a version:
//!
//! * `gil-refs` — the GIL Refs API is compiled in (0.21, and 0.22 with PyO3's `gil-refs`);
//! * `gil-refs-feature` — the release has PyO3's `gil-refs` Cargo feature at all (0.21, 0.22):
//!   without it the GIL-ref calls are missing for want of the feature, not removed;
//! * `bound-suffix` — Bound constructors are spelled `*_bound` and cannot fail (0.21, 0.22);
//! * `into-pyobject` — a `#[pyfunction]` return converts through `IntoPyObject` (0.23+);
//! * `py-clone-gated` — `impl Clone for Py<T>` needs PyO3's `py-clone` feature (0.22+); with
//!   `py-clone` compiled in it is gated per run, as the program's features say;
//! * `into-py-removed` — `IntoPy::into_py` is gone (0.25+);
//! * `attach-api` — `Python::attach`/`detach`, `Bound::cast`, `assume_attached` (0.26+);
//! * `with-gil-shims` — the old names kept as deprecated shims over attach/detach (0.26, 0.27).
//!
//! Mirrors: `Python::with_gil`/`allow_threads` and `attach`/`detach`, `Python::new_pool`/
//! `with_pool` and `PyCell::new` (GIL Refs), `Bound::new`, `Py::new`, the list, dict and tuple
//! constructors (`*_bound` in 0.21/0.22), `Bound::clone`/`drop`/`unbind`/`as_borrowed`/
//! `into_gil_ref`/`as_gil_ref`, `Py::clone` (0.21: a deferred incref without the GIL; 0.22+:
//! `py-clone`, a panic when not attached), `Py::clone_ref`/`drop_ref`/`bind`/`into_bound`/
//! `bind_borrowed`/`as_ref`/`into_ref`, `Borrowed::to_owned`, `IntoPy<PyObject>`, `IntoPyObject`,
//! `PyListMethods::append`/`get_item`, `PyTupleMethods::get_item`/`get_borrowed_item`, GIL-ref
//! `get_item`, the `#[pyfunction]` trampoline, and `Drop for Py` (a deferred decref; an abort
//! with `--cfg pyo3_disable_reference_pool`, a leak with the leak cfg added).
//!
//! Lifetimes: handles are stored with `'static` lifetimes (`&'static PyAny`, `Bound<'static, _>`,
//! `&'static Bound`, `Borrowed<'static, 'static, _>`). Each `extend`/`tok` below erases a shorter
//! lifetime; the interpreter (interp.rs) guarantees every value is used only where rustc would
//! accept the original lifetimes: inside its `'py` scope, while the handle it borrows from is
//! live, and never after the pool that owns a GIL ref.
#![allow(deprecated)]

use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

use crate::interp::{self, compile, Fail, R};
use crate::observe;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
#[cfg(feature = "gil-refs")]
use pyo3::PyCell;
use pyo3::{ffi, Borrowed};

#[path = "classes.rs"]
#[macro_use]
pub mod classes;
#[path = "rel_bound_classes.rs"]
mod class_api;
pub use class_api::{borrow, borrow_owns, new_class_object, set_field, take_field};

pub type Tok = Python<'static>;
/// What the release-neutral `gil`/`nogil` ops mean here.
#[cfg(not(feature = "attach-api"))]
pub const GIL: &str = "with_gil";
#[cfg(not(feature = "attach-api"))]
pub const NOGIL: &str = "allow_threads";
#[cfg(feature = "attach-api")]
pub const GIL: &str = "attach";
#[cfg(feature = "attach-api")]
pub const NOGIL: &str = "detach";
pub const VERSION: &str = crate::PYO3_CRATE;

pub enum Val {
    #[cfg(feature = "gil-refs")]
    GilRef(&'static PyAny),
    Bound(Bound<'static, PyAny>),
    BoundRef(&'static Bound<'static, PyAny>),
    Borrowed(Borrowed<'static, 'static, PyAny>),
    Py(Py<PyAny>),
    /// A held PyRef, PyRefMut or pyclass guard (issue 13).
    Borrow(classes::Borrow),
}

impl Val {
    pub fn kind(&self) -> &'static str {
        match self {
            #[cfg(feature = "gil-refs")]
            Val::GilRef(_) => "gil_ref",
            Val::Bound(_) => "bound",
            Val::BoundRef(_) => "bound_ref",
            Val::Borrowed(_) => "borrowed",
            Val::Py(_) => "py",
            Val::Borrow(b) => b.kind,
        }
    }
    pub fn ptr(&self) -> *mut ffi::PyObject {
        match self {
            #[cfg(feature = "gil-refs")]
            Val::GilRef(r) => r.as_ptr(),
            Val::Bound(b) => b.as_ptr(),
            Val::BoundRef(b) => b.as_ptr(),
            Val::Borrowed(b) => b.as_ptr(),
            Val::Py(p) => p.as_ptr(),
            Val::Borrow(b) => b.ptr,
        }
    }
    /// The value as `&Bound<PyAny>` (no refcount change: borrows and pointer casts only).
    fn with_bound<T>(&self, py: Python<'static>, f: impl FnOnce(&Bound<'static, PyAny>) -> T) -> T {
        match self {
            #[cfg(feature = "gil-refs")]
            Val::GilRef(r) => f(&r.as_borrowed()),
            Val::Bound(b) => f(b),
            Val::BoundRef(b) => f(b),
            Val::Borrowed(b) => f(b),
            Val::Py(p) => f(p.bind(py)),
            Val::Borrow(_) => unreachable!("the interpreter never uses a borrow as an object handle"),
        }
    }
}

pub fn is_send(kind: &str) -> bool {
    kind == "py"
}
pub fn is_copy(kind: &str) -> bool {
    matches!(kind, "gil_ref" | "borrowed" | "bound_ref")
}
pub fn copy_of(v: &Val) -> Val {
    match v {
        #[cfg(feature = "gil-refs")]
        Val::GilRef(r) => Val::GilRef(r),
        Val::BoundRef(b) => Val::BoundRef(b),
        Val::Borrowed(b) => Val::Borrowed(*b),
        _ => unreachable!("only references are Copy"),
    }
}

/// SAFETY (lifetime extension): see the module header.
unsafe fn extend<T: ?Sized>(r: &T) -> &'static T {
    &*(r as *const T)
}
fn tok(py: Python<'_>) -> Tok {
    // SAFETY: `Python` is a zero-sized token; the interpreter scopes its use (module header).
    unsafe { std::mem::transmute::<Python<'_>, Python<'static>>(py) }
}
fn bound(b: Bound<'_, PyAny>) -> Val {
    // SAFETY: as `tok`: only the `'py` lifetime is erased.
    Val::Bound(unsafe { std::mem::transmute::<Bound<'_, PyAny>, Bound<'static, PyAny>>(b) })
}
fn borrowed(b: Borrowed<'_, '_, PyAny>) -> Val {
    // SAFETY: as `extend`: the interpreter records what the value borrows from.
    Val::Borrowed(unsafe { std::mem::transmute::<Borrowed<'_, '_, PyAny>, Borrowed<'static, 'static, PyAny>>(b) })
}

fn exc(e: PyErr) -> Fail {
    Fail::Exception(e.to_string())
}

#[cfg(all(not(feature = "gil-refs"), feature = "gil-refs-feature"))]
fn no_gil_refs<T>(what: &str) -> R<T> {
    compile(format!(
        "E0599: `{what}` belongs to the GIL Refs API, which PyO3 {VERSION} only has with the `gil-refs` feature"
    ))
}
#[cfg(not(feature = "gil-refs-feature"))]
fn no_gil_refs<T>(what: &str) -> R<T> {
    compile(format!("E0599: `{what}` belongs to the GIL Refs API, removed in PyO3 0.23 (this is {VERSION})"))
}

/// `&Bound<PyAny>` to `&Bound<T>`: `downcast` before 0.26, `cast` from 0.26 (no refcount change).
fn as_type<'a, T: pyo3::PyTypeCheck>(b: &'a Bound<'static, PyAny>) -> Option<&'a Bound<'static, T>> {
    #[cfg(not(feature = "attach-api"))]
    return b.downcast::<T>().ok();
    #[cfg(feature = "attach-api")]
    return b.cast::<T>().ok();
}

#[cfg(not(feature = "attach-api"))]
unsafe fn assume() -> Python<'static> {
    Python::assume_gil_acquired()
}
#[cfg(feature = "attach-api")]
unsafe fn assume() -> Python<'static> {
    Python::assume_attached()
}

/// The program's `#[pyclass]`: its `Drop` tells the registry the object was freed.
#[pyclass(name = "Obj")]
pub struct Obj {
    run: u64,
    slot: usize,
}
impl Drop for Obj {
    fn drop(&mut self) {
        observe::pyclass_dropped(self.run, self.slot);
    }
}

/// A new Bound list, dict or tuple holding `elems` (each constructor adds one reference per item).
#[cfg(feature = "bound-suffix")]
fn new_container(py: Tok, ty: &str, elems: Vec<&Bound<'static, PyAny>>) -> R<Val> {
    Ok(match ty {
        "list" if elems.is_empty() => bound(PyList::empty_bound(py).into_any()),
        "list" => bound(PyList::new_bound(py, elems).into_any()),
        "dict" => bound(PyDict::new_bound(py).into_any()),
        _ if elems.is_empty() => bound(PyTuple::empty_bound(py).into_any()),
        _ => bound(PyTuple::new_bound(py, elems).into_any()),
    })
}
#[cfg(not(feature = "bound-suffix"))]
fn new_container(py: Tok, ty: &str, elems: Vec<&Bound<'static, PyAny>>) -> R<Val> {
    Ok(match ty {
        "list" if elems.is_empty() => bound(PyList::empty(py).into_any()),
        "list" => bound(PyList::new(py, elems).map_err(exc)?.into_any()),
        "dict" => bound(PyDict::new(py).into_any()),
        _ if elems.is_empty() => bound(PyTuple::empty(py).into_any()),
        _ => bound(PyTuple::new(py, elems).map_err(exc)?.into_any()),
    })
}

/// A new GIL ref (registered in the owned-object pool by PyO3 itself).
#[cfg(feature = "gil-refs")]
fn new_gil_ref(py: Tok, ty: &str, run: u64, slot: usize, elems: Vec<&Bound<'static, PyAny>>) -> R<Val> {
    let r: &PyAny = match ty {
        "object" => {
            let cell: &PyCell<Obj> = PyCell::new(py, Obj { run, slot }).map_err(exc)?;
            cell.as_ref()
        }
        "list" if elems.is_empty() => PyList::empty(py).as_ref(),
        "list" => PyList::new(py, elems).as_ref(),
        "dict" => PyDict::new(py).as_ref(),
        _ if elems.is_empty() => PyTuple::empty(py).as_ref(),
        _ => PyTuple::new(py, elems).as_ref(),
    };
    Ok(Val::GilRef(unsafe { extend(r) }))
}
#[cfg(all(not(feature = "gil-refs"), feature = "gil-refs-feature"))]
fn new_gil_ref(_: Tok, _: &str, _: u64, _: usize, _: Vec<&Bound<'static, PyAny>>) -> R<Val> {
    no_gil_refs("PyCell::new / PyList::empty")
}
#[cfg(not(feature = "gil-refs-feature"))]
fn new_gil_ref(_: Tok, _: &str, _: u64, _: usize, _: Vec<&Bound<'static, PyAny>>) -> R<Val> {
    no_gil_refs("GIL-ref constructors (PyCell::new, PyList::empty returning &PyList)")
}

pub fn new_object(py: Tok, ty: &'static str, api: &str, items: &[&Val]) -> R<(Val, usize)> {
    let (run, slot) = observe::next_slot();
    // Item views: `&Bound` borrows of each item (the constructors add one reference each).
    let views: Vec<Bound<'static, PyAny>> = items.iter().map(|v| v.with_bound(py, |b| b.clone())).collect();
    let elems: Vec<&Bound<'static, PyAny>> = views.iter().collect();
    let val = match (ty, api) {
        ("object", "bound") => bound(Bound::new(py, Obj { run, slot }).map_err(exc)?.into_any()),
        ("object", "py") => Val::Py(Py::new(py, Obj { run, slot }).map_err(exc)?.into_any()),
        (_, "py") => return compile("E0277: Py::new takes a #[pyclass] value; build lists, dicts and tuples with their constructors"),
        (_, "bound") => new_container(py, ty, elems)?,
        (_, _) => new_gil_ref(py, ty, run, slot, elems)?,
    };
    drop(views);
    let got = observe::register(ty, val.ptr());
    Ok((val, got))
}

fn take_py(slot: &mut Option<Val>) -> Py<PyAny> {
    match slot.take() {
        Some(Val::Py(p)) => p,
        _ => unreachable!(),
    }
}
fn take_bound(slot: &mut Option<Val>) -> Bound<'static, PyAny> {
    match slot.take() {
        Some(Val::Bound(b)) => b,
        _ => unreachable!(),
    }
}

/// Whether this run's program enables `py-clone` (the build may have it compiled in). Set by
/// `run` before the program starts, read by its threads: an atomic, not a `static mut`.
pub static PY_CLONE: AtomicBool = AtomicBool::new(false);

/// Whether `Py::clone` compiles for this run: always before 0.22, with `py-clone` after.
fn py_clone_allowed() -> bool {
    cfg!(not(feature = "py-clone-gated")) || PY_CLONE.load(Ordering::Relaxed)
}

/// The GIL-ref conversions of 0.21/0.22 (`None` when `op` is not one of them).
#[cfg(feature = "gil-refs")]
fn gil_ref_unary(op: &str, py: Option<Tok>, slot: &mut Option<Val>) -> Option<Val> {
    let v = slot.as_ref().expect("live handle");
    Some(match (op, v) {
        ("clone", Val::GilRef(r)) => Val::GilRef(r),
        ("as_borrowed", Val::GilRef(r)) => borrowed(r.as_borrowed()),
        ("into_gil_ref", Val::Bound(_)) => Val::GilRef(unsafe { extend(take_bound(slot).into_gil_ref()) }),
        ("as_gil_ref", Val::Bound(b)) => Val::GilRef(unsafe { extend(b.as_gil_ref()) }),
        ("as_gil_ref", Val::BoundRef(b)) => Val::GilRef(unsafe { extend(b.as_gil_ref()) }),
        ("into_py", Val::GilRef(r)) => Val::Py(r.into_py(py.unwrap())),
        ("into_ref", Val::Py(_)) => Val::GilRef(unsafe { extend(take_py(slot).into_ref(py.unwrap())) }),
        ("as_ref", Val::Py(p)) => Val::GilRef(unsafe { extend(p.as_ref(py.unwrap())) }),
        _ => return None,
    })
}
#[cfg(not(feature = "gil-refs"))]
fn gil_ref_unary(op: &str, _: Option<Tok>, _: &mut Option<Val>) -> Option<R<Val>> {
    match op {
        "into_gil_ref" | "as_gil_ref" | "into_ref" | "as_ref" => Some(no_gil_refs(op)),
        _ => None,
    }
}

/// `IntoPy::into_py` (+1 for a borrowed handle; an owned one moves), until 0.25 removed it.
#[cfg(not(feature = "into-py-removed"))]
fn into_py(py: Option<Tok>, slot: &mut Option<Val>) -> R<Val> {
    Ok(match slot.as_ref().expect("live handle") {
        Val::Bound(_) => Val::Py(take_bound(slot).into_py(py.unwrap())),
        Val::BoundRef(b) => Val::Py((*b).into_py(py.unwrap())),
        Val::Borrowed(b) => Val::Py((*b).into_py(py.unwrap())),
        Val::Py(_) => Val::Py(take_py(slot).into_py(py.unwrap())),
        Val::Borrow(_) => return compile("E0599: no method `into_py` on a PyRef or pyclass guard"),
        #[cfg(feature = "gil-refs")]
        Val::GilRef(_) => unreachable!("handled with the GIL-ref conversions"),
    })
}
#[cfg(feature = "into-py-removed")]
fn into_py(_: Option<Tok>, _: &mut Option<Val>) -> R<Val> {
    compile("E0599: `IntoPy::into_py` was removed in PyO3 0.25; use `into_pyobject(py)` or `unbind()`")
}

pub fn unary(op: &str, py: Option<Tok>, slot: &mut Option<Val>) -> R<Val> {
    #[cfg(feature = "gil-refs")]
    if let Some(v) = gil_ref_unary(op, py, slot) {
        return Ok(v);
    }
    #[cfg(not(feature = "gil-refs"))]
    if let Some(v) = gil_ref_unary(op, py, slot) {
        return v;
    }
    let v = slot.as_ref().expect("live handle");
    let kind = v.kind();
    Ok(match (op, v) {
        ("clone", Val::Bound(b)) => bound(b.clone()),
        ("clone", Val::BoundRef(b)) => bound((*b).clone()),
        ("clone", Val::Borrowed(b)) => Val::Borrowed(*b),
        #[cfg(any(not(feature = "py-clone-gated"), feature = "py-clone"))]
        ("clone", Val::Py(p)) if py_clone_allowed() => Val::Py(p.clone()),
        ("clone", Val::Py(_)) => {
            return compile("E0599: Py<T> implements Clone only with the `py-clone` feature (PyO3 0.22+); use `clone_ref(py)`")
        }
        ("clone_ref", Val::Py(p)) => Val::Py(p.clone_ref(py.unwrap())),
        ("unbind", Val::Bound(_)) => Val::Py(take_bound(slot).unbind()),
        ("unbind", Val::BoundRef(_) | Val::Borrowed(_)) => {
            return compile("E0507: cannot move out of a borrowed value: `unbind` takes the Bound by value; clone it first")
        }
        ("into_bound", Val::Py(_)) => bound(take_py(slot).into_bound(py.unwrap())),
        ("bind", Val::Py(p)) => Val::BoundRef(unsafe { extend(p.bind(py.unwrap())) }),
        ("bind_borrowed", Val::Py(p)) => borrowed(p.bind_borrowed(py.unwrap())),
        ("as_borrowed", Val::Bound(b)) => borrowed(b.as_borrowed()),
        ("as_borrowed", Val::BoundRef(b)) => borrowed(b.as_borrowed()),
        ("to_owned", Val::Borrowed(b)) => bound((*b).to_owned()),
        ("to_owned", Val::Bound(b)) => bound(b.to_owned()),
        ("to_owned", Val::BoundRef(b)) => bound((*b).to_owned()),
        ("into_py", _) => return into_py(py, slot),
        _ => return compile(format!("E0599: no method `{op}` on a {kind} handle in PyO3 {VERSION}")),
    })
}

pub fn drop_value(v: Val) -> R<()> {
    drop(v);
    Ok(())
}

pub fn drop_ref(py: Tok, v: Val) -> R<()> {
    match v {
        Val::Py(p) => {
            p.drop_ref(py);
            Ok(())
        }
        other => {
            let k = other.kind();
            std::mem::forget(other); // never reached with an owning handle other than Py
            compile(format!("E0599: no method `drop_ref` on a {k} handle; it is a method of Py<T>"))
        }
    }
}

pub fn append(list: &Val, item: &Val) -> R<()> {
    let not_list = || Fail::Compile("E0599: no method `append` on this type (only lists)".into());
    match list {
        #[cfg(feature = "gil-refs")]
        Val::GilRef(l) => {
            let l: &PyList = l.downcast().map_err(|_| not_list())?;
            item.with_bound(l.py(), |i| l.append(i)).map_err(exc)
        }
        Val::Py(_) => compile("E0599: no method `append` on Py<T>; call it on `p.bind(py)`"),
        other => other.with_bound(unsafe { assume() }, |l| {
            let l = as_type::<PyList>(l).ok_or_else(not_list)?;
            item.with_bound(l.py(), |i| l.append(i)).map_err(exc)
        }),
    }
}

/// `get_item` on a GIL ref: a new GIL ref registered in the pool (lists and tuples alike).
#[cfg(feature = "gil-refs")]
fn gil_ref_get(s: &'static PyAny, i: usize, borrowed_item: bool, other: impl Fn() -> Fail) -> R<Val> {
    if borrowed_item {
        return compile("E0599: `get_borrowed_item` is a method of Bound<PyTuple>; use `as_borrowed()` first");
    }
    let out: &PyAny = if let Ok(l) = s.downcast::<PyList>() {
        l.get_item(i).map_err(exc)?
    } else if let Ok(t) = s.downcast::<PyTuple>() {
        t.get_item(i).map_err(exc)?
    } else {
        return Err(other());
    };
    Ok(Val::GilRef(unsafe { extend(out) }))
}

pub fn get_item(src: &Val, index: i64, borrowed_item: bool) -> R<Val> {
    let i = usize::try_from(index).map_err(|_| Fail::Compile("E0600: get_item takes a usize index".into()))?;
    let other = || Fail::Compile("E0599: `get_item(index)` exists on lists and tuples only".into());
    match src {
        #[cfg(feature = "gil-refs")]
        Val::GilRef(s) => gil_ref_get(s, i, borrowed_item, other),
        Val::Py(_) => compile("E0599: no method `get_item` on Py<T>; call it on `p.bind(py)`"),
        Val::Bound(b) => bound_get(b, i, borrowed_item, other),
        Val::BoundRef(b) => bound_get(b, i, borrowed_item, other),
        Val::Borrowed(b) => bound_get(b, i, borrowed_item, other),
        Val::Borrow(_) => Err(other()),
    }
}

fn bound_get(s: &Bound<'static, PyAny>, i: usize, borrowed_item: bool, other: impl Fn() -> Fail) -> R<Val> {
    if let Some(t) = as_type::<PyTuple>(s) {
        if borrowed_item {
            // The Borrowed borrows from `s`, the handle's own storage (the interpreter tracks it).
            let t: &'static Bound<'static, PyTuple> = unsafe { extend(t) };
            return Ok(borrowed(t.get_borrowed_item(i).map_err(exc)?));
        }
        return Ok(bound(t.get_item(i).map_err(exc)?));
    }
    if borrowed_item {
        return compile("E0599: `get_borrowed_item` exists on tuples only");
    }
    let l = as_type::<PyList>(s).ok_or_else(other)?;
    Ok(bound(l.get_item(i).map_err(exc)?))
}

/// Lets the interpreter's callback satisfy `Ungil`; that no GIL-bound handle is used inside
/// is checked by the interpreter, as rustc would.
struct AssertUngil<T>(T);
unsafe impl<T> Send for AssertUngil<T> {}

type Body<'a> = AssertUngil<&'a mut dyn FnMut(Option<Tok>)>;

/// `with_gil`/`allow_threads`: the only names before 0.26, deprecated shims in 0.26 and 0.27.
#[cfg(any(not(feature = "attach-api"), feature = "with-gil-shims"))]
fn enter_with_gil(kind: &str, py: Option<Tok>, f: Body<'_>) -> Option<()> {
    match kind {
        "with_gil" => Python::with_gil(move |py| {
            let f = f;
            (f.0)(Some(tok(py)))
        }),
        "allow_threads" => py.unwrap().allow_threads(move || {
            let f = f;
            (f.0)(None)
        }),
        _ => return None,
    }
    Some(())
}
#[cfg(all(feature = "attach-api", not(feature = "with-gil-shims")))]
fn enter_with_gil(_: &str, _: Option<Tok>, _: Body<'_>) -> Option<()> {
    None
}

/// `attach`/`detach`, from 0.26.
#[cfg(feature = "attach-api")]
fn enter_attach(kind: &str, py: Option<Tok>, f: Body<'_>) -> Option<()> {
    match kind {
        "attach" => Python::attach(move |py| {
            let f = f;
            (f.0)(Some(tok(py)))
        }),
        "detach" => py.unwrap().detach(move || {
            let f = f;
            (f.0)(None)
        }),
        _ => return None,
    }
    Some(())
}

/// `new_pool`/`with_pool`: a GILPool of the GIL Refs API.
#[cfg(feature = "gil-refs")]
fn enter_pool(kind: &str, py: Option<Tok>, f: Body<'_>) -> R<()> {
    if kind == "new_pool" {
        let pool = unsafe { py.unwrap().new_pool() };
        let py = pool.python();
        (f.0)(Some(tok(py)));
        drop(pool);
    } else {
        py.unwrap().with_pool(move |py| {
            let f = f;
            (f.0)(Some(tok(py)))
        });
    }
    Ok(())
}
#[cfg(not(feature = "gil-refs"))]
fn enter_pool(kind: &str, _: Option<Tok>, _: Body<'_>) -> R<()> {
    no_gil_refs(kind)
}

fn unknown_block<T>(kind: &str) -> R<T> {
    let why = if cfg!(feature = "attach-api") {
        "with_gil/allow_threads were removed in 0.28; use attach/detach"
    } else if cfg!(feature = "gil-refs-feature") {
        "added in 0.26"
    } else {
        "attach/detach arrived in 0.26"
    };
    compile(format!("E0599: no function `Python::{kind}` in PyO3 {VERSION} ({why})"))
}

pub fn enter(kind: &str, py: Option<Tok>, f: &mut dyn FnMut(Option<Tok>)) -> R<()> {
    if kind == "new_pool" || kind == "with_pool" {
        return enter_pool(kind, py, AssertUngil(f));
    }
    #[cfg(feature = "attach-api")]
    if kind == "attach" || kind == "detach" {
        enter_attach(kind, py, AssertUngil(f));
        return Ok(());
    }
    if kind == "with_gil" || kind == "allow_threads" {
        if let Some(()) = enter_with_gil(kind, py, AssertUngil(f)) {
            return Ok(());
        }
    }
    unknown_block(kind)
}

/// What the `#[pyfunction]` returns: each variant converts exactly as that return type would.
pub enum Ret<'py> {
    Nothing,
    #[cfg(feature = "gil-refs")]
    GilRef(&'py PyAny),
    Bound(Bound<'py, PyAny>),
    BoundRef(&'py Bound<'py, PyAny>),
    Borrowed(Borrowed<'py, 'py, PyAny>),
    Py(Py<PyAny>),
}
#[cfg(not(feature = "into-pyobject"))]
impl IntoPy<PyObject> for Ret<'_> {
    fn into_py(self, py: Python<'_>) -> PyObject {
        match self {
            Ret::Nothing => py.None(),
            #[cfg(feature = "gil-refs")]
            Ret::GilRef(r) => r.into_py(py),
            Ret::Bound(b) => b.into_py(py),
            Ret::BoundRef(b) => b.into_py(py),
            Ret::Borrowed(b) => b.into_py(py),
            Ret::Py(p) => p,
        }
    }
}
#[cfg(feature = "into-pyobject")]
impl<'py> pyo3::IntoPyObject<'py> for Ret<'py> {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = std::convert::Infallible;
    fn into_pyobject(self, py: Python<'py>) -> Result<Bound<'py, PyAny>, Self::Error> {
        Ok(match self {
            Ret::Nothing => py.None().into_bound(py),
            Ret::Bound(b) => b,
            // `&Bound` and `Borrowed` convert to a new strong reference (+1), as their own
            // IntoPyObject impls do.
            Ret::BoundRef(b) => b.clone(),
            Ret::Borrowed(b) => b.to_owned(),
            Ret::Py(p) => p.into_bound(py),
        })
    }
}

/// The `#[pyfunction]` that Python calls for a `pyfunction` block.
#[pyfunction]
pub fn bd_call(py: Python<'_>) -> Ret<'_> {
    match interp::pyfunction_body(tok(py)) {
        None => Ret::Nothing,
        #[cfg(feature = "gil-refs")]
        Some(Val::GilRef(r)) => Ret::GilRef(r),
        Some(Val::Bound(b)) => Ret::Bound(b),
        Some(Val::BoundRef(b)) => Ret::BoundRef(b),
        Some(Val::Borrowed(b)) => Ret::Borrowed(b),
        Some(Val::Py(p)) => Ret::Py(p),
        Some(Val::Borrow(_)) => unreachable!("the interpreter refuses to return a borrow"),
    }
}

/// The `bd_call` function object, created once by `init` and kept for the life of the process.
static FUNC: AtomicPtr<ffi::PyObject> = AtomicPtr::new(std::ptr::null_mut());

/// Python calls the function (the caller holds the GIL); returns the new reference or null.
pub unsafe fn call_pyfunction() -> *mut ffi::PyObject {
    ffi::PyObject_CallObject(FUNC.load(Ordering::Acquire), std::ptr::null_mut())
}

static RUN: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `job` with the thread detached (PyO3's count 0, as on a fresh thread).
#[cfg(not(feature = "attach-api"))]
fn detached<T: Send>(py: Python<'_>, job: impl FnOnce() -> T + Send) -> T {
    py.allow_threads(job)
}
#[cfg(feature = "attach-api")]
fn detached<T: Send>(py: Python<'_>, job: impl FnOnce() -> T + Send) -> T {
    py.detach(job)
}

/// `run(program_json, stream, py_clone)`: runs one program with the GIL released (PyO3 GIL
/// count 0, as on a fresh thread) and returns the JSON result.
#[pyfunction]
pub fn run(py: Python<'_>, program: &str, stream: bool, py_clone: bool) -> PyResult<String> {
    let prog = crate::program::parse(program).map_err(pyo3::exceptions::PyValueError::new_err)?;
    let ops = prog.ops;
    PY_CLONE.store(py_clone, Ordering::Relaxed);
    let mut it = interp::Interp::new(stream);
    if let Err(fail) = class_api::declare(tok(py), &prog.classes) {
        it.fail = Some(fail);
        return Ok(interp::result_json(&it));
    }
    it.classes = prog.classes;
    interp::gc_bracket(&ops, true);
    let job = AssertUngil((&mut it, &ops));
    detached(py, move || {
        let job = job;
        // One program at a time per module (the object registry is global). The lock is taken
        // with the GIL released, so a second Python thread calling `run` cannot deadlock us.
        let _one_at_a_time = RUN.lock().unwrap_or_else(|p| p.into_inner());
        observe::reset();
        job.0 .0.run(job.0 .1)
    });
    interp::gc_bracket(&ops, false);
    Ok(interp::result_json(&it))
}

pub fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
    interp::quiet_panics();
    observe::install_hooks();
    m.add_function(wrap_pyfunction!(run, m)?)?;
    let f = wrap_pyfunction!(bd_call, m)?;
    FUNC.store(f.into_any().unbind().into_ptr(), Ordering::Release);
    m.add("PYO3_VERSION", VERSION)?;
    Ok(())
}
