//! The `#[pyclass]` types a program may declare (issue 13): `Option<Py<PyAny>>` fields, with
//! and without `__traverse__` / `__clear__`, and a `__traverse__` that attaches.
//!
//! Mirrors PyO3's `#[pyclass]` / `#[pymethods]` GC slots (`src/pyclass/gc.rs`: `PyVisit`,
//! `PyTraverseError`; `src/impl_/pymethods.rs`: `_call_traverse`), the same source in every
//! release 0.20.3 to 0.30.1. A program's classes are declared at run time, but a Rust type cannot
//! be: the witness has one real type per combination of GC methods, and each object carries its
//! declared field names at run time. Simplification: two declared classes with the same GC
//! methods share one Python type, so the type's name is the combination's, not the program's.
//!
//! Observation: each object's `Drop` marks its slot freed (as `Obj` does), and its field table's
//! address is registered, so a probe reads the fields (plain loads) without taking a borrow or a
//! reference. A `__traverse__` that attaches records the panic's text before letting it go on to
//! PyO3 unchanged (`resume_unwind`), so PyO3 handles the very same panic.

use crate::interp::{compile, R};
use crate::observe;
use crate::program::ClassDecl;
use pyo3::prelude::*;
use pyo3::pyclass::{PyTraverseError, PyVisit};

/// A pyclass's fields in declaration order: name and `Option<Py<PyAny>>`.
pub struct Fields(pub Vec<(String, Option<Py<PyAny>>)>);

impl Fields {
    pub fn new(names: &[String]) -> Self {
        Fields(names.iter().map(|n| (n.clone(), None)).collect())
    }

    /// The named field (the interpreter checked that the class declares it).
    pub fn slot(&mut self, name: &str) -> &mut Option<Py<PyAny>> {
        &mut self.0.iter_mut().find(|(n, _)| n == name).expect("declared field").1
    }

    /// Visits every field that holds an object, in declaration order.
    fn visit(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        for p in self.0.iter().filter_map(|(_, v)| v.as_ref()) {
            visit.call(p)?;
        }
        Ok(())
    }

    fn clear(&mut self) {
        for (_, v) in self.0.iter_mut() {
            *v = None;
        }
    }
}

thread_local! {
    /// The Rust data of the next instance a Python subclass makes (its `#[new]` takes it).
    static PENDING: std::cell::RefCell<Option<(u64, usize, Fields)>> = std::cell::RefCell::new(None);
}

fn take_pending() -> (u64, usize, Fields) {
    PENDING.with(|p| p.borrow_mut().take()).expect("a witness class is constructed from Python only by subclass_instance")
}

/// `class Sub(Base): pass; me = Sub(); Sub.me = me; del Sub` through the C API (the same in
/// every release): returns the new instance, an owned reference. Its `#[new]` takes `data`.
/// Needs the GIL.
pub unsafe fn subclass_instance(base: *mut pyo3::ffi::PyTypeObject, data: (u64, usize, Fields)) -> Result<*mut pyo3::ffi::PyObject, String> {
    use pyo3::ffi;
    PENDING.with(|p| *p.borrow_mut() = Some(data));
    let bases = ffi::PyTuple_New(1);
    ffi::Py_INCREF(base.cast());
    ffi::PyTuple_SetItem(bases, 0, base.cast());
    let args = ffi::PyTuple_New(3);
    ffi::PyTuple_SetItem(args, 0, ffi::PyUnicode_FromString(b"Sub\0".as_ptr().cast()));
    ffi::PyTuple_SetItem(args, 1, bases);
    ffi::PyTuple_SetItem(args, 2, ffi::PyDict_New());
    let sub = ffi::PyObject_Call(std::ptr::addr_of_mut!(ffi::PyType_Type).cast(), args, std::ptr::null_mut());
    ffi::Py_DECREF(args);
    if sub.is_null() {
        ffi::PyErr_Clear();
        return Err("creating the Python subclass failed".into());
    }
    let inst = ffi::PyObject_CallObject(sub, std::ptr::null_mut());
    let stored = !inst.is_null() && ffi::PyObject_SetAttrString(sub, b"me\0".as_ptr().cast(), inst) == 0;
    ffi::Py_DECREF(sub); // `del Sub`: from here only the instance holds its type
    if !stored {
        ffi::PyErr_Clear();
        return Err("instantiating the Python subclass failed".into());
    }
    Ok(inst)
}

macro_rules! node_class {
    ($ty:ident, $pyname:literal) => {
        // `subclass`: #6269's program subclasses it in Python (it changes no GC behaviour).
        #[pyclass(name = $pyname, subclass)]
        pub struct $ty {
            pub run: u64,
            pub slot: usize,
            pub fields: Fields,
        }
        impl $ty {
            fn from_pending() -> Self {
                let (run, slot, fields) = take_pending();
                $ty { run, slot, fields }
            }
        }
        impl Drop for $ty {
            fn drop(&mut self) {
                observe::pyclass_dropped(self.run, self.slot);
            }
        }
    };
}

node_class!(Plain, "Plain");
#[cfg(not(feature = "clear-requires-traverse"))]
node_class!(ClearOnly, "ClearOnly");
node_class!(Trav, "Trav");
node_class!(TravOnly, "TravOnly");
node_class!(TravAttach, "TravAttach");
node_class!(TravAttachOnly, "TravAttachOnly");

#[pymethods]
impl Plain {
    #[new]
    fn py_new() -> Self {
        Self::from_pending()
    }
}

/// Attaches the thread, as a careless `__traverse__` would (`Python::with_gil` before 0.26).
#[cfg(not(feature = "attach-api"))]
fn attach_now() {
    Python::with_gil(|_| ());
}
#[cfg(feature = "attach-api")]
fn attach_now() {
    Python::attach(|_| ());
}

/// Attaches inside `__traverse__`; PyO3 forbids it and panics. The panic's text is recorded and
/// the same panic resumes, so PyO3's traverse trampoline sees exactly what it would have.
fn attach_in_traverse() {
    if let Err(p) = std::panic::catch_unwind(attach_now) {
        observe::traverse_panic(crate::interp::panic_text(&*p));
        std::panic::resume_unwind(p);
    }
}

#[cfg(not(feature = "clear-requires-traverse"))]
#[pymethods]
impl ClearOnly {
    #[new]
    fn py_new() -> Self {
        Self::from_pending()
    }
    fn __clear__(&mut self) {
        self.fields.clear();
    }
}

#[pymethods]
impl Trav {
    #[new]
    fn py_new() -> Self {
        Self::from_pending()
    }
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        self.fields.visit(&visit)
    }
    fn __clear__(&mut self) {
        self.fields.clear();
    }
}

#[pymethods]
impl TravOnly {
    #[new]
    fn py_new() -> Self {
        Self::from_pending()
    }
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        self.fields.visit(&visit)
    }
}

#[pymethods]
impl TravAttach {
    #[new]
    fn py_new() -> Self {
        Self::from_pending()
    }
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        attach_in_traverse();
        self.fields.visit(&visit)
    }
    fn __clear__(&mut self) {
        self.fields.clear();
    }
}

#[pymethods]
impl TravAttachOnly {
    #[new]
    fn py_new() -> Self {
        Self::from_pending()
    }
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        attach_in_traverse();
        self.fields.visit(&visit)
    }
}

/// The Rust type that implements a declared class (named by its Python name).
pub fn kind_of(d: &ClassDecl) -> R<&'static str> {
    Ok(match (d.traverse, d.clear, d.traverse_attaches) {
        (false, false, _) => "Plain",
        (false, true, _) => return clear_only(d),
        (true, true, false) => "Trav",
        (true, false, false) => "TravOnly",
        (true, true, true) => "TravAttach",
        (true, false, true) => "TravAttachOnly",
    })
}

/// `__clear__` without `__traverse__`: PyO3 0.30 rejects it at compile time; earlier releases
/// compile it and fail when the type object is first created (at the first `new`).
#[cfg(feature = "clear-requires-traverse")]
fn clear_only(d: &ClassDecl) -> R<&'static str> {
    compile(format!(
        "E0080: evaluation panicked: an implementation of `__clear__` requires an implementation of `__traverse__` (class {})",
        d.name
    ))
}
#[cfg(not(feature = "clear-requires-traverse"))]
fn clear_only(_: &ClassDecl) -> R<&'static str> {
    Ok("ClearOnly")
}

/// Runs `$body` with `$T` naming the Rust type of the class kind `$kind` (from `kind_of`).
/// Used by the release module that declares `classes` (with `#[macro_use]`).
macro_rules! with_class {
    ($kind:expr, $T:ident => $body:expr) => {{
        use classes::*;
        match $kind {
            "Plain" => {
                type $T = Plain;
                $body
            }
            #[cfg(not(feature = "clear-requires-traverse"))]
            "ClearOnly" => {
                type $T = ClearOnly;
                $body
            }
            "Trav" => {
                type $T = Trav;
                $body
            }
            "TravOnly" => {
                type $T = TravOnly;
                $body
            }
            "TravAttach" => {
                type $T = TravAttach;
                $body
            }
            _ => {
                type $T = TravAttachOnly;
                $body
            }
        }
    }};
}

/// A held `PyRef`, `PyRefMut`, `PyClassGuard` or `PyClassGuardMut` (type-erased: each class has
/// its own Rust type). Dropping it drops the real borrow, then tells the registry.
pub struct Borrow {
    /// `pyref`, `pyrefmut`, `guard` or `guard_mut`.
    pub kind: &'static str,
    pub ptr: *mut pyo3::ffi::PyObject,
    slot: Option<usize>,
    inner: Option<Box<dyn std::any::Any>>,
}

impl Borrow {
    /// Wraps a borrow real PyO3 just granted (`op`: the program op that took it).
    pub fn new(op: &str, ptr: *mut pyo3::ffi::PyObject, inner: Box<dyn std::any::Any>) -> Self {
        let kind = match op {
            "borrow" | "try_borrow" => "pyref",
            "borrow_mut" | "try_borrow_mut" => "pyrefmut",
            "guard" => "guard",
            _ => "guard_mut",
        };
        let slot = observe::slot_of(ptr);
        if let Some(s) = slot {
            observe::borrow_taken(s, Self::exclusive(kind));
        }
        Borrow { kind, ptr, slot, inner: Some(inner) }
    }

    fn exclusive(kind: &str) -> bool {
        kind == "pyrefmut" || kind == "guard_mut"
    }
}

impl Drop for Borrow {
    fn drop(&mut self) {
        drop(self.inner.take());
        if let Some(s) = self.slot {
            observe::borrow_released(s, Self::exclusive(self.kind));
        }
    }
}
