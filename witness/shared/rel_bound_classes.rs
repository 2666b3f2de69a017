//! The declared-class ops (issue 13) spelled with the Bound-era API, PyO3 0.21.2 to 0.30.1: a
//! child module of rel_bound.rs. Capability features:
//!
//! * `pyclass-guard` — `PyClassGuard`/`PyClassGuardMut` exist (0.26+), taken by extraction
//!   (`obj.extract::<PyClassGuard<T>>()`, the one spelling 0.26 to 0.30 share);
//! * `clear-requires-traverse` — `__clear__` without `__traverse__` is a compile error (0.30).
//!
//! Mirrors: `Bound::new` / `Py::new` / `PyCell::new` of a `#[pyclass]` value, `Bound::borrow`,
//! `borrow_mut`, `try_borrow`, `try_borrow_mut` (`PyRef`/`PyRefMut` hold a cloned `Bound`: +1
//! while held), the guards (a borrowed pointer: no incref), and field access through
//! `borrow_mut()` (`src/pycell.rs`, `src/pyclass/guard.rs`).

use super::classes::{Borrow, Fields};
use super::*;
use std::any::Any;

/// Runs `$body` with `$T` the Rust type of `$kind`, `Obj` included (for borrows).
macro_rules! with_any_class {
    ($kind:expr, $T:ident => $body:expr) => {{
        if $kind == "Obj" {
            type $T = Obj;
            $body
        } else {
            with_class!($kind, $T => $body)
        }
    }};
}

/// `&Bound<PyAny>` as the class's `&Bound<T>` (the interpreter checked the class).
fn cell<T: pyo3::PyTypeCheck>(b: &Bound<'static, PyAny>) -> &'static Bound<'static, T> {
    // SAFETY (lifetime extension): the handle the value lives in outlives every borrow taken
    // through it (the interpreter records guards as borrowing it; PyRefs hold their own Bound).
    unsafe { extend(as_type::<T>(b).expect("the interpreter checked the object's class")) }
}

/// The module declares every class (`m.add_class::<T>()` on a fresh module), as a real
/// extension module would at import: the error of a class PyO3 rejects, as (kind, op path,
/// message), stops the run before its first op.
pub fn declare(py: Tok, classes: &[crate::program::ClassDecl]) -> Result<(), (String, String, String)> {
    if classes.is_empty() {
        return Ok(());
    }
    let m = new_module(py).map_err(|e| ("exception".into(), "classes".into(), e.to_string()))?;
    for d in classes {
        let path = format!("classes.{}", d.name);
        let kind = classes::kind_of(d).map_err(|f| ("compile_error".to_owned(), path.clone(), f.message().to_owned()))?;
        with_class!(kind, T => m.add_class::<T>()).map_err(|e| ("exception".to_owned(), path, e.to_string()))?;
    }
    Ok(())
}

#[cfg(feature = "bound-suffix")]
fn new_module(py: Tok) -> PyResult<Bound<'static, pyo3::types::PyModule>> {
    pyo3::types::PyModule::new_bound(py, "bd_classes")
}
#[cfg(not(feature = "bound-suffix"))]
fn new_module(py: Tok) -> PyResult<Bound<'static, pyo3::types::PyModule>> {
    pyo3::types::PyModule::new(py, "bd_classes")
}

/// A new object of a declared class, and the registration of its field table.
pub fn new_class_object(py: Tok, kind: &'static str, api: &str, names: &[String], sub: bool) -> R<(Val, usize)> {
    let (run, slot) = observe::next_slot();
    let fields = Fields::new(names);
    let val = with_class!(kind, T => {
        if sub {
            subclass_val(py, <T as pyo3::PyTypeInfo>::type_object_raw(py), api, (run, slot, fields))?
        } else {
        let v = T { run, slot, fields };
        match api {
            "bound" => bound(Bound::new(py, v).map_err(exc)?.into_any()),
            "py" => Val::Py(Py::new(py, v).map_err(exc)?.into_any()),
            _ => new_class_gil_ref(py, v)?,
        }
        }
    });
    let got = observe::register_with("object", val.ptr(), if sub { 2 } else { 1 });
    let table = val.with_bound(py, |b| with_class!(kind, T => &cell::<T>(b).borrow().fields as *const Fields));
    observe::set_fields(got, table);
    Ok((val, got))
}

/// An instance of a fresh Python subclass of `base` (#6269's program), as a handle of `api`.
fn subclass_val(py: Tok, base: *mut pyo3::ffi::PyTypeObject, api: &str, data: (u64, usize, Fields)) -> R<Val> {
    let p = unsafe { super::classes::subclass_instance(base, data) }.map_err(crate::interp::Fail::Exception)?;
    let owned: Py<PyAny> = unsafe { Bound::<PyAny>::from_owned_ptr(py, p) }.unbind();
    match api {
        "py" => Ok(Val::Py(owned)),
        "bound" => Ok(bound(owned.into_bound(py))),
        _ => crate::interp::compile("the witness makes a Python subclass's instance as a Py or a Bound only (use api \"py\" or \"bound\")"),
    }
}

#[cfg(feature = "gil-refs")]
fn new_class_gil_ref<T: pyo3::PyClass + Into<pyo3::PyClassInitializer<T>>>(py: Tok, v: T) -> R<Val> {
    let c: &PyCell<T> = PyCell::new(py, v).map_err(exc)?;
    Ok(Val::GilRef(unsafe { extend(c.as_ref()) }))
}
#[cfg(not(feature = "gil-refs"))]
fn new_class_gil_ref<T>(_: Tok, _: T) -> R<Val> {
    no_gil_refs("PyCell::new")
}

/// A new strong reference to a handle's object, for a field (`v.clone().unbind()`: +1).
fn new_ref(py: Tok, v: &Val) -> Py<PyAny> {
    v.with_bound(py, |b| b.clone().unbind())
}

/// `a.borrow_mut().f = Some(v.clone().unbind())` (or `= None`): the old value is released while
/// the borrow is held; a held borrow makes `borrow_mut` panic ("Already borrowed").
pub fn set_field(py: Tok, kind: &str, obj: &Val, field: &str, value: Option<&Val>) -> R<()> {
    let value = value.map(|v| new_ref(py, v));
    obj.with_bound(py, |b| with_class!(kind, T => *cell::<T>(b).borrow_mut().fields.slot(field) = value));
    Ok(())
}

/// `a.borrow_mut().f.take()`: the field's reference moves out (no refcount change); `None`
/// for an empty field.
pub fn take_field(py: Tok, kind: &str, obj: &Val, field: &str) -> R<Option<Val>> {
    let p = obj.with_bound(py, |b| with_class!(kind, T => cell::<T>(b).borrow_mut().fields.slot(field).take()));
    Ok(p.map(Val::Py))
}

fn borrow_err(e: impl std::fmt::Display + std::fmt::Debug) -> Fail {
    Fail::Exception(format!("{e:?}: {e}"))
}

/// One of the six borrow ops on an object of Rust type `kind`.
pub fn borrow(py: Tok, kind: &str, op: &str, obj: &Val) -> R<Val> {
    let inner: Box<dyn Any> = obj.with_bound(py, |b| {
        with_any_class!(kind, T => {
            let c = cell::<T>(b);
            R::Ok(match op {
                "borrow" => Box::new(c.borrow()) as Box<dyn Any>,
                "borrow_mut" => Box::new(c.borrow_mut()),
                "try_borrow" => Box::new(c.try_borrow().map_err(borrow_err)?),
                "try_borrow_mut" => Box::new(c.try_borrow_mut().map_err(borrow_err)?),
                _ => guard_of::<T>(op, c)?,
            })
        })
    })?;
    Ok(Val::Borrow(Borrow::new(op, obj.ptr(), inner)))
}

/// `PyClassGuard` / `PyClassGuardMut` by extraction: a conflict is a `PyErr` (RuntimeError).
#[cfg(feature = "pyclass-guard")]
fn guard_of<T: pyo3::PyClass<Frozen = pyo3::pyclass::boolean_struct::False>>(
    op: &str,
    c: &'static Bound<'static, T>,
) -> R<Box<dyn Any>> {
    let any = c.as_any();
    Ok(if op == "guard" {
        Box::new(any.extract::<pyo3::PyClassGuard<'static, T>>().map_err(|e| exc(e.into()))?)
    } else {
        Box::new(any.extract::<pyo3::PyClassGuardMut<'static, T>>().map_err(|e| exc(e.into()))?)
    })
}
#[cfg(not(feature = "pyclass-guard"))]
fn guard_of<T>(op: &str, _: &'static Bound<'static, T>) -> R<Box<dyn Any>> {
    let ty = if op == "guard" { "PyClassGuard" } else { "PyClassGuardMut" };
    compile(format!("E0432: unresolved import `pyo3::{ty}`: the pyclass guards arrived in PyO3 0.26 (this is {VERSION})"))
}

/// Whether a borrow handle owns a reference (PyRef/PyRefMut hold a `Bound` from 0.21).
pub fn borrow_owns(kind: &str) -> bool {
    kind == "pyref" || kind == "pyrefmut"
}
