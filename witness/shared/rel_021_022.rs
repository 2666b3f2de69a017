//! Each program op spelled with the exact API of PyO3 0.21.2 and 0.22.6 (GIL refs behind the
//! crate feature `gil-refs`, `Py::clone` behind `py-clone` in 0.22; crate feature `v022` marks
//! the 0.22 builds).
//!
//! Mirrors: `Python::with_gil`, `Python::allow_threads`, `Python::new_pool`/`with_pool`
//! (gil-refs), `PyCell::new` (gil-refs), `Bound::new`, `Py::new`, `PyList::empty`/`new` and
//! `empty_bound`/`new_bound`, `PyDict::new`/`new_bound`, `PyTuple::empty`/`new` and
//! `empty_bound`/`new_bound`, `Bound::clone`/`drop`/`unbind`/`as_borrowed`/`into_gil_ref`/
//! `as_gil_ref`, `Py::clone` (0.21: deferred incref; 0.22: `py-clone`, panics without the GIL),
//! `Py::clone_ref`/`drop_ref`/`bind`/`into_bound`/`bind_borrowed`/`as_ref`/`into_ref`,
//! `Borrowed::to_owned`, `IntoPy<PyObject>`, `PyListMethods::append`/`get_item`,
//! `PyTupleMethods::get_item`/`get_borrowed_item`, GIL-ref `PyList::get_item`/`PyTuple::get_item`,
//! and the `#[pyfunction]` trampoline.
//!
//! Lifetimes: handles are stored with `'static` lifetimes (`&'static PyAny`,
//! `Bound<'static, _>`, `&'static Bound`, `Borrowed<'static, 'static, _>`). Each `extend`/`tok`
//! below erases a shorter lifetime; the interpreter (interp.rs) guarantees every value is used
//! only where rustc would accept the original lifetimes: inside its `'py` scope, while the
//! handle it borrows from is live, and never after the pool that owns a GIL ref.
#![allow(deprecated)]

use crate::interp::{self, compile, Fail, R};
use crate::observe;
#[cfg(feature = "gil-refs")]
use pyo3::PyCell;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use pyo3::{ffi, Borrowed};

pub type Tok = Python<'static>;
/// What the release-neutral `gil`/`nogil` ops mean here.
pub const GIL: &str = "with_gil";
pub const NOGIL: &str = "allow_threads";
#[cfg(not(feature = "v022"))]
pub const VERSION: &str = "0.21.2";
#[cfg(feature = "v022")]
pub const VERSION: &str = "0.22.6";

pub enum Val {
    #[cfg(feature = "gil-refs")]
    GilRef(&'static PyAny),
    Bound(Bound<'static, PyAny>),
    BoundRef(&'static Bound<'static, PyAny>),
    Borrowed(Borrowed<'static, 'static, PyAny>),
    Py(Py<PyAny>),
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

#[cfg(not(feature = "gil-refs"))]
fn no_gil_refs<T>(what: &str) -> R<T> {
    compile(format!(
        "E0599: `{what}` belongs to the GIL Refs API, which PyO3 {VERSION} only has with the `gil-refs` feature"
    ))
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

pub fn new_object(py: Tok, ty: &'static str, api: &str, items: &[&Val]) -> R<(Val, usize)> {
    let (run, slot) = observe::next_slot();
    // Item views: `&Bound` borrows of each item (the constructors add one reference each).
    let views: Vec<Bound<'static, PyAny>> = items.iter().map(|v| v.with_bound(py, |b| b.clone())).collect();
    let elems: Vec<&Bound<'static, PyAny>> = views.iter().collect();
    let val = match (ty, api) {
        ("object", "bound") => bound(Bound::new(py, Obj { run, slot }).map_err(exc)?.into_any()),
        ("object", "py") => Val::Py(Py::new(py, Obj { run, slot }).map_err(exc)?.into_any()),
        (_, "py") => return compile("E0277: Py::new takes a #[pyclass] value; build lists, dicts and tuples with their constructors"),
        ("list", "bound") if elems.is_empty() => bound(PyList::empty_bound(py).into_any()),
        ("list", "bound") => bound(PyList::new_bound(py, elems).into_any()),
        ("dict", "bound") => bound(PyDict::new_bound(py).into_any()),
        ("tuple", "bound") if elems.is_empty() => bound(PyTuple::empty_bound(py).into_any()),
        ("tuple", "bound") => bound(PyTuple::new_bound(py, elems).into_any()),
        #[cfg(feature = "gil-refs")]
        ("object", _) => {
            let cell: &PyCell<Obj> = PyCell::new(py, Obj { run, slot }).map_err(exc)?;
            let r: &PyAny = cell.as_ref();
            Val::GilRef(unsafe { extend(r) })
        }
        #[cfg(feature = "gil-refs")]
        ("list", _) if elems.is_empty() => Val::GilRef(unsafe { extend(PyList::empty(py).as_ref()) }),
        #[cfg(feature = "gil-refs")]
        ("list", _) => Val::GilRef(unsafe { extend(PyList::new(py, elems).as_ref()) }),
        #[cfg(feature = "gil-refs")]
        ("dict", _) => Val::GilRef(unsafe { extend(PyDict::new(py).as_ref()) }),
        #[cfg(feature = "gil-refs")]
        (_, _) if elems.is_empty() => Val::GilRef(unsafe { extend(PyTuple::empty(py).as_ref()) }),
        #[cfg(feature = "gil-refs")]
        (_, _) => Val::GilRef(unsafe { extend(PyTuple::new(py, elems).as_ref()) }),
        #[cfg(not(feature = "gil-refs"))]
        (_, _) => return no_gil_refs("PyCell::new / PyList::empty"),
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

/// Whether this run's program enables `py-clone` (the build may have it compiled in).
pub static mut PY_CLONE: bool = false;

pub fn unary(op: &str, py: Option<Tok>, slot: &mut Option<Val>) -> R<Val> {
    let v = slot.as_ref().expect("live handle");
    let kind = v.kind();
    Ok(match (op, v) {
        #[cfg(feature = "gil-refs")]
        ("clone", Val::GilRef(r)) => Val::GilRef(r),
        ("clone", Val::Bound(b)) => bound(b.clone()),
        ("clone", Val::BoundRef(b)) => bound((*b).clone()),
        ("clone", Val::Borrowed(b)) => Val::Borrowed(*b),
        #[cfg(any(not(feature = "v022"), feature = "py-clone"))]
        ("clone", Val::Py(p)) if cfg!(not(feature = "v022")) || unsafe { PY_CLONE } => Val::Py(p.clone()),
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
        #[cfg(feature = "gil-refs")]
        ("as_borrowed", Val::GilRef(r)) => borrowed(r.as_borrowed()),
        ("to_owned", Val::Borrowed(b)) => bound((*b).to_owned()),
        ("to_owned", Val::Bound(b)) => bound(b.to_owned()),
        ("to_owned", Val::BoundRef(b)) => bound((*b).to_owned()),
        #[cfg(feature = "gil-refs")]
        ("into_gil_ref", Val::Bound(_)) => Val::GilRef(unsafe { extend(take_bound(slot).into_gil_ref()) }),
        #[cfg(feature = "gil-refs")]
        ("as_gil_ref", Val::Bound(b)) => Val::GilRef(unsafe { extend(b.as_gil_ref()) }),
        #[cfg(feature = "gil-refs")]
        ("as_gil_ref", Val::BoundRef(b)) => Val::GilRef(unsafe { extend(b.as_gil_ref()) }),
        #[cfg(feature = "gil-refs")]
        ("into_py", Val::GilRef(r)) => Val::Py(r.into_py(py.unwrap())),
        ("into_py", Val::Bound(_)) => Val::Py(take_bound(slot).into_py(py.unwrap())),
        ("into_py", Val::BoundRef(b)) => Val::Py((*b).into_py(py.unwrap())),
        ("into_py", Val::Borrowed(b)) => Val::Py((*b).into_py(py.unwrap())),
        ("into_py", Val::Py(_)) => Val::Py(take_py(slot).into_py(py.unwrap())),
        #[cfg(feature = "gil-refs")]
        ("into_ref", Val::Py(_)) => Val::GilRef(unsafe { extend(take_py(slot).into_ref(py.unwrap())) }),
        #[cfg(feature = "gil-refs")]
        ("as_ref", Val::Py(p)) => Val::GilRef(unsafe { extend(p.as_ref(py.unwrap())) }),
        #[cfg(not(feature = "gil-refs"))]
        ("into_gil_ref" | "as_gil_ref" | "into_ref" | "as_ref", _) => return no_gil_refs(op),
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
        other => other.with_bound(unsafe { Python::assume_gil_acquired() }, |l| {
            let l = l.downcast::<PyList>().map_err(|_| not_list())?;
            item.with_bound(l.py(), |i| l.append(i)).map_err(exc)
        }),
    }
}

pub fn get_item(src: &Val, index: i64, borrowed_item: bool) -> R<Val> {
    let i = usize::try_from(index).map_err(|_| Fail::Compile("E0600: get_item takes a usize index".into()))?;
    let other = || Fail::Compile("E0599: `get_item(index)` exists on lists and tuples only".into());
    match src {
        #[cfg(feature = "gil-refs")]
        Val::GilRef(s) => {
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
        Val::Py(_) => compile("E0599: no method `get_item` on Py<T>; call it on `p.bind(py)`"),
        Val::Bound(b) => bound_get(b, i, borrowed_item, other),
        Val::BoundRef(b) => bound_get(b, i, borrowed_item, other),
        Val::Borrowed(b) => bound_get(b, i, borrowed_item, other),
    }
}

fn bound_get(s: &Bound<'static, PyAny>, i: usize, borrowed_item: bool, other: impl Fn() -> Fail) -> R<Val> {
    if let Ok(t) = s.downcast::<PyTuple>() {
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
    let l = s.downcast::<PyList>().map_err(|_| other())?;
    Ok(bound(l.get_item(i).map_err(exc)?))
}

/// Lets the interpreter's callback satisfy `Ungil`; that no GIL-bound handle is used inside
/// is checked by the interpreter, as rustc would.
struct AssertUngil<T>(T);
unsafe impl<T> Send for AssertUngil<T> {}

pub fn enter(kind: &str, py: Option<Tok>, f: &mut dyn FnMut(Option<Tok>)) -> R<()> {
    let f = AssertUngil(f);
    match kind {
        "with_gil" => Python::with_gil(move |py| {
            let f = f;
            (f.0)(Some(tok(py)))
        }),
        "allow_threads" => py.unwrap().allow_threads(move || {
            let f = f;
            (f.0)(None)
        }),
        #[cfg(feature = "gil-refs")]
        "new_pool" => {
            let pool = unsafe { py.unwrap().new_pool() };
            let py = pool.python();
            (f.0)(Some(tok(py)));
            drop(pool);
        }
        #[cfg(feature = "gil-refs")]
        "with_pool" => py.unwrap().with_pool(move |py| {
            let f = f;
            (f.0)(Some(tok(py)))
        }),
        #[cfg(not(feature = "gil-refs"))]
        "new_pool" | "with_pool" => return no_gil_refs(kind),
        _ => return compile(format!("E0599: no function `Python::{kind}` in PyO3 {VERSION} (added in 0.26)")),
    }
    Ok(())
}

/// What the `#[pyfunction]` returns: each variant converts exactly as that return type would.
pub enum Ret<'py> {
    Nothing,
    #[cfg(feature = "gil-refs")]
    GilRef(&'py PyAny),
    Bound(Bound<'py, PyAny>),
    BoundRef(&'py Bound<'py, PyAny>),
    Borrowed(Borrowed<'py, 'py, PyAny>),
    Py(PyObject),
}
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
    }
}

static mut FUNC: *mut ffi::PyObject = std::ptr::null_mut();

/// Python calls the function (the caller holds the GIL); returns the new reference or null.
pub unsafe fn call_pyfunction() -> *mut ffi::PyObject {
    ffi::PyObject_CallObject(FUNC, std::ptr::null_mut())
}

static RUN: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// `run(program_json, stream, py_clone)`: runs one program with the GIL released (PyO3 GIL
/// count 0, as on a fresh thread) and returns the JSON result.
#[pyfunction]
pub fn run(py: Python<'_>, program: &str, stream: bool, py_clone: bool) -> PyResult<String> {
    let ops = crate::program::parse(program).map_err(pyo3::exceptions::PyValueError::new_err)?;
    unsafe { PY_CLONE = py_clone };
    let mut it = interp::Interp::new(stream);
    let job = AssertUngil(&mut it);
    py.allow_threads(move || {
        let job = job;
        // One program at a time per module (the object registry is global). The lock is taken
        // with the GIL released, so a second Python thread calling `run` cannot deadlock us.
        let _one_at_a_time = RUN.lock().unwrap_or_else(|p| p.into_inner());
        observe::reset();
        job.0.run(&ops)
    });
    Ok(interp::result_json(&it))
}

pub fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
    interp::quiet_panics();
    observe::install_hooks();
    m.add_function(wrap_pyfunction!(run, m)?)?;
    let f = wrap_pyfunction!(bd_call, m)?;
    // The function object is kept for the life of the process.
    unsafe { FUNC = f.into_any().unbind().into_ptr() };
    m.add("PYO3_VERSION", VERSION)?;
    Ok(())
}
