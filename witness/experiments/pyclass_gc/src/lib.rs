//! Experiment crate for issue 13 (not part of the witness yet): what real PyO3 0.29.3 does with
//! `#[pyclass]` objects that hold `Option<Py<PyAny>>` fields, with and without `__traverse__`
//! and `__clear__`, and how its runtime borrow flag answers conflicting borrows.
//! Driven by run_experiments.py; docs/design/pyclass-gc.md records the results per release.

use pyo3::prelude::*;
use pyo3::pyclass::{PyTraverseError, PyVisit};
use pyo3::{PyClassGuard, PyClassGuardMut};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

// The counters observe liveness and the collector's calls without holding any reference, so
// they never change a refcount they are meant to report.
static DROPS: AtomicUsize = AtomicUsize::new(0);
static TRAVERSES: AtomicUsize = AtomicUsize::new(0);
static CLEARS: AtomicUsize = AtomicUsize::new(0);

fn rc(p: *mut pyo3::ffi::PyObject) -> isize {
    unsafe { pyo3::ffi::Py_REFCNT(p) as isize }
}

// Attaching while the collector runs a `__traverse__` is forbidden; TravAttach calls this on purpose.
fn attach_now() { Python::attach(|_py| ()); }

// Four classes with the same field and a Drop hook: Plain has no GC methods, Trav has both
// `__traverse__` and `__clear__`, TravOnly has only `__traverse__`, TravAttach attaches inside
// its `__traverse__`. `subclass` lets Python derive from them (the #6269 type-visiting case).
macro_rules! node_class {
    ($name:ident) => {
        #[pyclass(subclass)]
        pub struct $name {
            #[pyo3(get, set)]
            next: Option<Py<PyAny>>,
        }
        impl Drop for $name {
            fn drop(&mut self) { DROPS.fetch_add(1, SeqCst); }
        }
    };
}
node_class!(Plain);
node_class!(Trav);
node_class!(TravOnly);
node_class!(TravAttach);

#[pymethods]
impl Plain {
    #[new]
    fn new() -> Self { Self { next: None } }
    fn take_next(&mut self) -> Option<Py<PyAny>> { self.next.take() }
}

#[pymethods]
impl Trav {
    #[new]
    fn new() -> Self { Self { next: None } }
    fn take_next(&mut self) -> Option<Py<PyAny>> { self.next.take() }
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        TRAVERSES.fetch_add(1, SeqCst);
        if let Some(o) = &self.next { visit.call(o)?; }
        Ok(())
    }
    fn __clear__(&mut self) {
        CLEARS.fetch_add(1, SeqCst);
        self.next = None;
    }
}

#[pymethods]
impl TravOnly {
    #[new]
    fn new() -> Self { Self { next: None } }
    fn take_next(&mut self) -> Option<Py<PyAny>> { self.next.take() }
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        TRAVERSES.fetch_add(1, SeqCst);
        if let Some(o) = &self.next { visit.call(o)?; }
        Ok(())
    }
}

#[pymethods]
impl TravAttach {
    #[new]
    fn new() -> Self { Self { next: None } }
    fn take_next(&mut self) -> Option<Py<PyAny>> { self.next.take() }
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        TRAVERSES.fetch_add(1, SeqCst);
        attach_now();
        if let Some(o) = &self.next { visit.call(o)?; }
        Ok(())
    }
    fn __clear__(&mut self) { self.next = None; }
}

#[pyfunction]
fn counters() -> (usize, usize, usize) {
    (DROPS.load(SeqCst), TRAVERSES.load(SeqCst), CLEARS.load(SeqCst))
}

#[pyfunction]
fn refcnt(obj: &Bound<'_, PyAny>) -> isize { rc(obj.as_ptr()) }

// ---- borrows -------------------------------------------------------------
// Borrows are probed on Trav only: the borrow flag does not depend on the GC methods.
type Obj<'a, 'py> = &'a Bound<'py, Trav>;

fn p(o: &Obj) -> *mut pyo3::ffi::PyObject { o.as_ptr() }

/// (refcount before, while held, after release) for one kind of borrow.
#[pyfunction]
fn probe(obj: Obj, kind: &str) -> PyResult<(isize, isize, isize)> {
    let r0 = rc(p(&obj));
    let r1 = match kind {
        "borrow" => { let _g = obj.borrow(); rc(p(&obj)) }
        "borrow_mut" => { let _g = obj.borrow_mut(); rc(p(&obj)) }
        "try_borrow" => { let _g = obj.try_borrow()?; rc(p(&obj)) }
        "try_borrow_mut" => { let _g = obj.try_borrow_mut()?; rc(p(&obj)) }
                "guard" => { let _g: PyClassGuard<'_, Trav> = obj.as_any().extract()?; rc(p(&obj)) }
                "guard_mut" => { let _g: PyClassGuardMut<'_, Trav> = obj.as_any().extract()?; rc(p(&obj)) }
        other => return Err(pyo3::exceptions::PyValueError::new_err(format!("no kind {other}"))),
    };
    Ok((r0, r1, rc(p(&obj))))
}

fn second(obj: &Obj, kind: &str) -> PyResult<String> {
    match kind {
        "borrow" => { let _g = obj.borrow(); Ok("ok".into()) }
        "borrow_mut" => { let _g = obj.borrow_mut(); Ok("ok".into()) }
        "try_borrow" => match obj.try_borrow() {
            Ok(_) => Ok("ok".into()),
            Err(e) => Ok(format!("Err(Display={:?}, Debug={:?})", e.to_string(), e)),
        },
        "try_borrow_mut" => match obj.try_borrow_mut() {
            Ok(_) => Ok("ok".into()),
            Err(e) => Ok(format!("Err(Display={:?}, Debug={:?})", e.to_string(), e)),
        },
        "try_borrow_raise" => { let _g = obj.try_borrow()?; Ok("ok".into()) }
        "try_borrow_mut_raise" => { let _g = obj.try_borrow_mut()?; Ok("ok".into()) }
                "guard" => { let _g: PyClassGuard<'_, Trav> = obj.as_any().extract()?; Ok("ok".into()) }
                "guard_mut" => { let _g: PyClassGuardMut<'_, Trav> = obj.as_any().extract()?; Ok("ok".into()) }
        other => Err(pyo3::exceptions::PyValueError::new_err(format!("no kind {other}"))),
    }
}

/// Hold a `first` borrow, then attempt a `second` one.
#[pyfunction]
fn hold_then(obj: Obj, first: &str, kind: &str) -> PyResult<String> {
    match first {
        "borrow" => { let _h = obj.borrow(); second(&obj, kind) }
        "borrow_mut" => { let _h = obj.borrow_mut(); second(&obj, kind) }
                "guard" => { let _h: PyClassGuard<'_, Trav> = obj.as_any().extract()?; second(&obj, kind) }
                "guard_mut" => { let _h: PyClassGuardMut<'_, Trav> = obj.as_any().extract()?; second(&obj, kind) }
        other => Err(pyo3::exceptions::PyValueError::new_err(format!("no first {other}"))),
    }
}

macro_rules! fill {
    ($m:expr) => {{
        $m.add_class::<Plain>()?;
        $m.add_class::<Trav>()?;
        $m.add_class::<TravOnly>()?;
        $m.add_class::<TravAttach>()?;
        $m.add_function(wrap_pyfunction!(counters, $m)?)?;
        $m.add_function(wrap_pyfunction!(probe, $m)?)?;
        $m.add_function(wrap_pyfunction!(hold_then, $m)?)?;
        Ok(())
    }};
}


#[pymodule]
fn pyclass_gc_029(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(refcnt, m)?)?;
    fill!(m)
}
