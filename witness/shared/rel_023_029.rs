//! Each program op spelled with the exact API of PyO3 0.23.5, 0.24.2, 0.25.1, 0.26.0, 0.27.2,
//! 0.28.3 and 0.29.3. Crate features mark what changed between them: `v025` the releases without
//! `IntoPy` (0.25+), `v029` the attach/detach releases (0.26+: `attach`, `detach`, `cast`,
//! `assume_attached`), `v026` the two of those that still keep `with_gil` and `allow_threads` as
//! deprecated names (0.26, 0.27). `Py::clone` is compiled in with `py-clone` and gated per run.
//! The exact crate is named by the build's `lib.rs` (`PYO3_CRATE`).
//!
//! Mirrors: `Python::with_gil`/`allow_threads` (0.23–0.27) and `Python::attach`/`detach` (0.26+),
//! `Bound::new`, `Py::new`, `PyList::empty`/`new`, `PyDict::new`, `PyTuple::empty`/`new`,
//! `Bound::clone`/`drop`/`unbind`/`as_borrowed`, `Py::clone` (`py-clone`: panics when not
//! attached), `Py::clone_ref`/`drop_ref`/`bind`/`into_bound`/`bind_borrowed`,
//! `Borrowed::to_owned`, `IntoPy<PyObject>` (0.23 and 0.24, deprecated there), `IntoPyObject` (the
//! `#[pyfunction]` return conversion), `PyListMethods::append`/`get_item`,
//! `PyTupleMethods::get_item`/`get_borrowed_item`, and `Drop for Py` (deferred decref; an abort
//! when built with `--cfg pyo3_disable_reference_pool`, a silent leak when
//! `--cfg pyo3_leak_on_drop_without_reference_pool` is added).
//!
//! Lifetimes: handles are stored with `'static` lifetimes (`Bound<'static, _>`,
//! `&'static Bound`, `Borrowed<'static, 'static, _>`). Each `extend`/`tok` below erases a
//! shorter lifetime; the interpreter (interp.rs) guarantees every value is used only where rustc
//! would accept the original lifetimes: inside its `'py` scope and while the handle it borrows
//! from is live.
#![allow(deprecated)]

use crate::interp::{self, compile, Fail, R};
use crate::observe;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use pyo3::{ffi, Borrowed};

pub type Tok = Python<'static>;
/// What the release-neutral `gil`/`nogil` ops mean here.
#[cfg(not(feature = "v029"))]
pub const GIL: &str = "with_gil";
#[cfg(not(feature = "v029"))]
pub const NOGIL: &str = "allow_threads";
#[cfg(feature = "v029")]
pub const GIL: &str = "attach";
#[cfg(feature = "v029")]
pub const NOGIL: &str = "detach";
pub const VERSION: &str = crate::PYO3_CRATE;

pub enum Val {
    Bound(Bound<'static, PyAny>),
    BoundRef(&'static Bound<'static, PyAny>),
    Borrowed(Borrowed<'static, 'static, PyAny>),
    Py(Py<PyAny>),
}

impl Val {
    pub fn kind(&self) -> &'static str {
        match self {
            Val::Bound(_) => "bound",
            Val::BoundRef(_) => "bound_ref",
            Val::Borrowed(_) => "borrowed",
            Val::Py(_) => "py",
        }
    }
    pub fn ptr(&self) -> *mut ffi::PyObject {
        match self {
            Val::Bound(b) => b.as_ptr(),
            Val::BoundRef(b) => b.as_ptr(),
            Val::Borrowed(b) => b.as_ptr(),
            Val::Py(p) => p.as_ptr(),
        }
    }
    /// The value as `&Bound<PyAny>` (no refcount change: borrows and pointer casts only).
    fn with_bound<T>(&self, py: Python<'static>, f: impl FnOnce(&Bound<'static, PyAny>) -> T) -> T {
        match self {
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

fn no_gil_refs<T>(what: &str) -> R<T> {
    compile(format!("E0599: `{what}` belongs to the GIL Refs API, removed in PyO3 0.23 (this is {VERSION})"))
}

/// `&Bound<PyAny>` to `&Bound<T>`: `downcast` before 0.26, `cast` from 0.26 (no refcount change).
fn as_type<'a, T: pyo3::PyTypeCheck>(b: &'a Bound<'static, PyAny>) -> Option<&'a Bound<'static, T>> {
    #[cfg(not(feature = "v029"))]
    return b.downcast::<T>().ok();
    #[cfg(feature = "v029")]
    return b.cast::<T>().ok();
}

#[cfg(not(feature = "v029"))]
unsafe fn assume() -> Python<'static> {
    Python::assume_gil_acquired()
}
#[cfg(feature = "v029")]
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

pub fn new_object(py: Tok, ty: &'static str, api: &str, items: &[&Val]) -> R<(Val, usize)> {
    let (run, slot) = observe::next_slot();
    // Item views: `&Bound` borrows of each item (the constructors add one reference each).
    let views: Vec<Bound<'static, PyAny>> = items.iter().map(|v| v.with_bound(py, |b| b.clone())).collect();
    let elems: Vec<&Bound<'static, PyAny>> = views.iter().collect();
    let val = match (ty, api) {
        ("object", "bound") => bound(Bound::new(py, Obj { run, slot }).map_err(exc)?.into_any()),
        ("object", "py") => Val::Py(Py::new(py, Obj { run, slot }).map_err(exc)?.into_any()),
        (_, "py") => return compile("E0277: Py::new takes a #[pyclass] value; build lists, dicts and tuples with their constructors"),
        ("list", "bound") if elems.is_empty() => bound(PyList::empty(py).into_any()),
        ("list", "bound") => bound(PyList::new(py, elems).map_err(exc)?.into_any()),
        ("dict", "bound") => bound(PyDict::new(py).into_any()),
        ("tuple", "bound") if elems.is_empty() => bound(PyTuple::empty(py).into_any()),
        ("tuple", "bound") => bound(PyTuple::new(py, elems).map_err(exc)?.into_any()),
        (_, _) => return no_gil_refs("GIL-ref constructors (PyCell::new, PyList::empty returning &PyList)"),
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
        ("clone", Val::Bound(b)) => bound(b.clone()),
        ("clone", Val::BoundRef(b)) => bound((*b).clone()),
        ("clone", Val::Borrowed(b)) => Val::Borrowed(*b),
        #[cfg(feature = "py-clone")]
        ("clone", Val::Py(p)) if unsafe { PY_CLONE } => Val::Py(p.clone()),
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
        #[cfg(not(feature = "v025"))]
        ("into_py", Val::Bound(_)) => Val::Py(take_bound(slot).into_py(py.unwrap())),
        #[cfg(not(feature = "v025"))]
        ("into_py", Val::BoundRef(b)) => Val::Py((*b).into_py(py.unwrap())),
        #[cfg(not(feature = "v025"))]
        ("into_py", Val::Borrowed(b)) => Val::Py((*b).into_py(py.unwrap())),
        #[cfg(not(feature = "v025"))]
        ("into_py", Val::Py(_)) => Val::Py(take_py(slot).into_py(py.unwrap())),
        #[cfg(feature = "v025")]
        ("into_py", _) => return compile("E0599: `IntoPy::into_py` was removed in PyO3 0.25; use `into_pyobject(py)` or `unbind()`"),
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
        Val::Py(_) => compile("E0599: no method `append` on Py<T>; call it on `p.bind(py)`"),
        other => other.with_bound(unsafe { assume() }, |l| {
            let l = as_type::<PyList>(l).ok_or_else(not_list)?;
            item.with_bound(l.py(), |i| l.append(i)).map_err(exc)
        }),
    }
}

pub fn get_item(src: &Val, index: i64, borrowed_item: bool) -> R<Val> {
    let i = usize::try_from(index).map_err(|_| Fail::Compile("E0600: get_item takes a usize index".into()))?;
    let other = || Fail::Compile("E0599: `get_item(index)` exists on lists and tuples only".into());
    match src {
        Val::Py(_) => compile("E0599: no method `get_item` on Py<T>; call it on `p.bind(py)`"),
        Val::Bound(b) => bound_get(b, i, borrowed_item, other),
        Val::BoundRef(b) => bound_get(b, i, borrowed_item, other),
        Val::Borrowed(b) => bound_get(b, i, borrowed_item, other),
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

pub fn enter(kind: &str, py: Option<Tok>, f: &mut dyn FnMut(Option<Tok>)) -> R<()> {
    let f = AssertUngil(f);
    match kind {
        #[cfg(not(feature = "v029"))]
        "with_gil" => Python::with_gil(move |py| {
            let f = f;
            (f.0)(Some(tok(py)))
        }),
        #[cfg(not(feature = "v029"))]
        "allow_threads" => py.unwrap().allow_threads(move || {
            let f = f;
            (f.0)(None)
        }),
        #[cfg(feature = "v029")]
        "attach" => Python::attach(move |py| {
            let f = f;
            (f.0)(Some(tok(py)))
        }),
        #[cfg(feature = "v029")]
        "detach" => py.unwrap().detach(move || {
            let f = f;
            (f.0)(None)
        }),
        // 0.26 and 0.27 keep the old names as deprecated shims over attach/detach.
        #[cfg(feature = "v026")]
        "with_gil" => Python::with_gil(move |py| {
            let f = f;
            (f.0)(Some(tok(py)))
        }),
        #[cfg(feature = "v026")]
        "allow_threads" => py.unwrap().allow_threads(move || {
            let f = f;
            (f.0)(None)
        }),
        "new_pool" | "with_pool" => return no_gil_refs(kind),
        #[cfg(not(feature = "v029"))]
        _ => return compile(format!("E0599: no function `Python::{kind}` in PyO3 {VERSION} (attach/detach arrived in 0.26)")),
        #[cfg(feature = "v029")]
        _ => return compile(format!("E0599: no function `Python::{kind}` in PyO3 {VERSION} (with_gil/allow_threads were removed in 0.28; use attach/detach)")),
    }
    Ok(())
}

/// What the `#[pyfunction]` returns: each variant converts exactly as that return type would
/// (`Bound` is handed over as is, `Py` is bound to the call's token).
pub enum Ret<'py> {
    Nothing,
    Bound(Bound<'py, PyAny>),
    BoundRef(&'py Bound<'py, PyAny>),
    Borrowed(Borrowed<'py, 'py, PyAny>),
    Py(Py<PyAny>),
}
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
    #[cfg(not(feature = "v029"))]
    py.allow_threads(move || {
        let job = job;
        // One program at a time per module (the object registry is global). The lock is taken
        // with the GIL released, so a second Python thread calling `run` cannot deadlock us.
        let _one_at_a_time = RUN.lock().unwrap_or_else(|p| p.into_inner());
        observe::reset();
        job.0.run(&ops)
    });
    #[cfg(feature = "v029")]
    py.detach(move || {
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
