//! Each program op spelled with the exact API of PyO3 0.20.3 (GIL refs and `Py<T>` only).
//!
//! Mirrors: `Python::with_gil`, `Python::allow_threads`, `Python::new_pool`, `Python::with_pool`,
//! `PyCell::new`, `Py::new`, `PyList::empty`/`new`, `PyDict::new`, `PyTuple::empty`/`new`,
//! `Py::clone` (deferred incref), `Py::clone_ref`, `Drop for Py` (deferred decref),
//! `Py::as_ref`, `Py::into_ref`, `IntoPy<PyObject> for &PyAny`, `PyList::append`,
//! `PyList::get_item` (owned, registered) and `PyTuple::get_item` (borrowed), `#[pyfunction]`.
//!
//! Lifetimes: handles are stored as `&'static PyAny`. Each `extend` below turns a `&'py PyAny`
//! into `&'static PyAny`; the interpreter (interp.rs) guarantees the reference is never used
//! after the pool that owns it, or outside the `'py` scope rustc would allow.

use crate::interp::{self, compile, Fail, R};
use crate::observe;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use pyo3::{ffi, PyCell};

#[path = "../../shared/classes.rs"]
#[macro_use]
pub mod classes;
#[path = "rel_classes.rs"]
mod class_api;
pub use class_api::{borrow, borrow_owns, new_class_object, set_field, take_field};

pub type Tok = Python<'static>;
/// What the release-neutral `gil`/`nogil` ops mean here.
pub const GIL: &str = "with_gil";
pub const NOGIL: &str = "allow_threads";
pub const VERSION: &str = "0.20.3";

pub enum Val {
    GilRef(&'static PyAny),
    Py(Py<PyAny>),
    /// A held PyRef or PyRefMut (issue 13).
    Borrow(classes::Borrow),
}

impl Val {
    pub fn kind(&self) -> &'static str {
        match self {
            Val::GilRef(_) => "gil_ref",
            Val::Py(_) => "py",
            Val::Borrow(b) => b.kind,
        }
    }
    pub fn ptr(&self) -> *mut ffi::PyObject {
        match self {
            Val::GilRef(r) => r.as_ptr(),
            Val::Py(p) => p.as_ptr(),
            Val::Borrow(b) => b.ptr,
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
        Val::GilRef(r) => Val::GilRef(r),
        _ => unreachable!("only GIL refs are Copy"),
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

fn exc(e: PyErr) -> Fail {
    Fail::Exception(e.to_string())
}

fn absent<T>(what: &str) -> R<T> {
    compile(format!("E0599: `{what}` does not exist in PyO3 0.20 (it arrived with the Bound API in 0.21)"))
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

fn any<'py>(py: Python<'py>, v: &'py Val) -> &'py PyAny {
    match v {
        Val::GilRef(r) => r,
        Val::Py(p) => p.as_ref(py),
        Val::Borrow(_) => unreachable!("the interpreter never uses a borrow as an object handle"),
    }
}

pub fn new_object(py: Tok, ty: &'static str, api: &str, items: &[&Val]) -> R<(Val, usize)> {
    let (run, slot) = observe::next_slot();
    let elems: Vec<&PyAny> = items.iter().map(|v| any(py, v)).collect();
    let val = match (ty, api) {
        (_, "bound") => return absent("Bound::new / new_bound"),
        ("object", "gil_ref") => {
            let cell: &PyCell<Obj> = PyCell::new(py, Obj { run, slot }).map_err(exc)?;
            let r: &PyAny = cell.as_ref();
            Val::GilRef(unsafe { extend(r) })
        }
        ("object", _) => Val::Py(Py::new(py, Obj { run, slot }).map_err(exc)?.into_py(py)),
        (_, "py") => return compile("E0277: Py::new takes a #[pyclass] value; build lists, dicts and tuples with their GIL-ref constructors"),
        ("list", _) if elems.is_empty() => Val::GilRef(unsafe { extend(PyList::empty(py).as_ref()) }),
        ("list", _) => Val::GilRef(unsafe { extend(PyList::new(py, elems).as_ref()) }),
        ("dict", _) => Val::GilRef(unsafe { extend(PyDict::new(py).as_ref()) }),
        (_, _) if elems.is_empty() => Val::GilRef(unsafe { extend(PyTuple::empty(py).as_ref()) }),
        (_, _) => Val::GilRef(unsafe { extend(PyTuple::new(py, elems).as_ref()) }),
    };
    let got = observe::register(ty, val.ptr());
    debug_assert_eq!(got, slot);
    Ok((val, got))
}

pub fn unary(op: &str, py: Option<Tok>, slot: &mut Option<Val>) -> R<Val> {
    let v = slot.as_ref().expect("live handle");
    Ok(match (op, v) {
        ("clone", Val::GilRef(r)) => Val::GilRef(r),
        ("clone", Val::Py(p)) => Val::Py(p.clone()),
        ("clone_ref", Val::Py(p)) => Val::Py(p.clone_ref(py.unwrap())),
        ("clone_ref", _) => return compile("E0599: no method `clone_ref` on a GIL ref (`&PyAny`); it is `Copy`"),
        ("into_py", Val::GilRef(r)) => Val::Py(r.into_py(py.unwrap())),
        ("into_py", Val::Py(_)) => match slot.take() {
            Some(Val::Py(p)) => Val::Py(p.into_py(py.unwrap())),
            _ => unreachable!(),
        },
        ("into_ref", Val::Py(_)) => match slot.take() {
            Some(Val::Py(p)) => Val::GilRef(unsafe { extend(p.into_ref(py.unwrap())) }),
            _ => unreachable!(),
        },
        ("as_ref", Val::Py(p)) => Val::GilRef(unsafe { extend(p.as_ref(py.unwrap())) }),
        ("into_ref" | "as_ref", _) => return compile(format!("E0599: no method `{op}` on a GIL ref; it is a method of Py<T>")),
        ("unbind" | "into_bound" | "bind" | "bind_borrowed" | "as_borrowed" | "to_owned" | "into_gil_ref"
        | "as_gil_ref", _) => return absent(op),
        _ => return compile(format!("E0599: no method `{op}` for a {} in PyO3 0.20", v.kind())),
    })
}

pub fn drop_value(v: Val) -> R<()> {
    drop(v);
    Ok(())
}

pub fn drop_ref(_py: Tok, _v: Val) -> R<()> {
    absent("Py::drop_ref")
}

fn gil_ref(v: &Val, what: &str) -> R<&'static PyAny> {
    match v {
        Val::GilRef(r) => Ok(r),
        Val::Py(_) => compile(format!("E0599: no method `{what}` on Py<T>; call it on `p.as_ref(py)`")),
        Val::Borrow(_) => compile(format!("E0599: no method `{what}` on a PyRef")),
    }
}

pub fn append(list: &Val, item: &Val) -> R<()> {
    let l = gil_ref(list, "append")?;
    let l: &PyList = l.downcast().map_err(|_| Fail::Compile("E0599: no method `append` on this type (only lists)".into()))?;
    match item {
        Val::GilRef(i) => l.append(*i),
        Val::Py(p) => l.append(p),
        Val::Borrow(_) => unreachable!("the interpreter never uses a borrow as an object handle"),
    }
    .map_err(exc)
}

pub fn get_item(src: &Val, index: i64, borrowed: bool) -> R<Val> {
    if borrowed {
        return absent("PyTuple::get_borrowed_item");
    }
    let s = gil_ref(src, "get_item")?;
    let i = usize::try_from(index).map_err(|_| Fail::Compile("E0600: get_item takes a usize index".into()))?;
    let out: &PyAny = if let Ok(l) = s.downcast::<PyList>() {
        l.get_item(i).map_err(exc)?
    } else if let Ok(t) = s.downcast::<PyTuple>() {
        t.get_item(i).map_err(exc)?
    } else {
        return compile("E0599: `get_item(index)` exists on lists and tuples only");
    };
    Ok(Val::GilRef(unsafe { extend(out) }))
}

/// Wrapper that lets the interpreter's callback satisfy `Ungil`; the program-level check that
/// no GIL-bound handle is used inside is done by the interpreter.
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
        "new_pool" => {
            let pool = unsafe { py.unwrap().new_pool() };
            let py = pool.python();
            (f.0)(Some(tok(py)));
            drop(pool);
        }
        "with_pool" => py.unwrap().with_pool(move |py| {
            let f = f;
            (f.0)(Some(tok(py)))
        }),
        _ => return compile(format!("E0599: no function `Python::{kind}` in PyO3 0.20 (added in 0.26)")),
    }
    Ok(())
}

/// What the `#[pyfunction]` returns: each variant converts exactly as that return type would.
pub enum Ret<'py> {
    Nothing,
    GilRef(&'py PyAny),
    Py(PyObject),
}
impl IntoPy<PyObject> for Ret<'_> {
    fn into_py(self, py: Python<'_>) -> PyObject {
        match self {
            Ret::Nothing => py.None(),
            Ret::GilRef(r) => r.into_py(py),
            Ret::Py(p) => p,
        }
    }
}

/// The `#[pyfunction]` that Python calls for a `pyfunction` block.
#[pyfunction]
pub fn bd_call(py: Python<'_>) -> Ret<'_> {
    match interp::pyfunction_body(tok(py)) {
        None => Ret::Nothing,
        Some(Val::GilRef(r)) => Ret::GilRef(r),
        Some(Val::Py(p)) => Ret::Py(p),
        Some(Val::Borrow(_)) => unreachable!("the interpreter refuses to return a borrow"),
    }
}

/// The `bd_call` function object, created once by `init` and kept for the life of the process.
static FUNC: std::sync::atomic::AtomicPtr<ffi::PyObject> = std::sync::atomic::AtomicPtr::new(std::ptr::null_mut());

/// Python calls the function (the caller holds the GIL); returns the new reference or null.
pub unsafe fn call_pyfunction() -> *mut ffi::PyObject {
    ffi::PyObject_CallObject(FUNC.load(std::sync::atomic::Ordering::Acquire), std::ptr::null_mut())
}

static RUN: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// `run(program_json, stream)`: runs one program with the GIL released (PyO3 GIL count 0, as on
/// a fresh thread) and returns the JSON result.
#[pyfunction]
pub fn run(py: Python<'_>, program: &str, stream: bool, py_clone: bool) -> PyResult<String> {
    let _ = py_clone; // 0.20 has no py-clone feature: Py<T> is always Clone.
    let prog = crate::program::parse(program).map_err(pyo3::exceptions::PyValueError::new_err)?;
    let ops = prog.ops;
    let mut it = interp::Interp::new(stream);
    if let Err(fail) = class_api::declare(tok(py), &prog.classes) {
        it.fail = Some(fail);
        return Ok(interp::result_json(&it));
    }
    it.classes = prog.classes;
    interp::gc_bracket(&ops, true);
    let job = AssertUngil((&mut it, &ops));
    py.allow_threads(move || {
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

pub fn init(m: &PyModule) -> PyResult<()> {
    interp::quiet_panics();
    observe::install_hooks();
    m.add_function(wrap_pyfunction!(run, m)?)?;
    let f = wrap_pyfunction!(bd_call, m)?;
    // The function object is kept for the life of the process.
    let f: PyObject = f.into();
    FUNC.store(f.into_ptr(), std::sync::atomic::Ordering::Release);
    m.add("PYO3_VERSION", VERSION)?;
    m.add("FEATURES", Vec::<&str>::new())?;
    m.add("CFG", Vec::<&str>::new())?;
    Ok(())
}
