//! The declared-class ops (issue 13) spelled with PyO3 0.20.3's API: a child module of rel.rs.
//!
//! Mirrors: `PyCell::new` / `Py::new` of a `#[pyclass]` value, `PyCell::borrow`, `borrow_mut`,
//! `try_borrow`, `try_borrow_mut` (0.20's `PyRef { inner: &PyCell<T> }` is a plain borrow of the
//! GIL ref: no incref), and field access through `borrow_mut()` (`src/pycell.rs`). The pyclass
//! guards do not exist yet (they arrived in 0.26).

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

/// The object as the class's `&PyCell<T>` (the interpreter checked the class).
fn cell<T: pyo3::PyClass>(py: Tok, v: &Val) -> &'static PyCell<T> {
    let r: &'static PyAny = unsafe { extend(any(py, v)) };
    r.downcast::<PyCell<T>>().expect("the interpreter checked the object's class")
}

/// The module declares every class (`m.add_class::<T>()` on a fresh module), as a real
/// extension module would at import: the error of a class PyO3 rejects, as (kind, op path,
/// message), stops the run before its first op.
pub fn declare(py: Tok, classes: &[crate::program::ClassDecl]) -> Result<(), (String, String, String)> {
    if classes.is_empty() {
        return Ok(());
    }
    let m = pyo3::types::PyModule::new(py, "bd_classes").map_err(|e| ("exception".into(), "classes".into(), e.to_string()))?;
    for d in classes {
        let path = format!("classes.{}", d.name);
        let kind = classes::kind_of(d).map_err(|f| ("compile_error".to_owned(), path.clone(), f.message().to_owned()))?;
        with_class!(kind, T => m.add_class::<T>()).map_err(|e| ("exception".to_owned(), path, e.to_string()))?;
    }
    Ok(())
}

/// A new object of a declared class, and the registration of its field table.
pub fn new_class_object(py: Tok, kind: &'static str, api: &str, names: &[String], sub: bool) -> R<(Val, usize)> {
    let (run, slot) = observe::next_slot();
    let fields = Fields::new(names);
    if sub {
        // #6269's program: an instance of a fresh Python subclass, held as a `Py` (api "py").
        if api != "py" {
            return crate::interp::compile("the witness makes a Python subclass's instance as a Py only in 0.20 (use api \"py\")");
        }
        let base = with_class!(kind, T => <T as pyo3::PyTypeInfo>::type_object_raw(py));
        let p = unsafe { super::classes::subclass_instance(base, (run, slot, fields)) }.map_err(crate::interp::Fail::Exception)?;
        let val = Val::Py(unsafe { Py::from_owned_ptr(py, p) });
        let got = observe::register_with("object", val.ptr(), 2);
        let table = with_class!(kind, T => &cell::<T>(py, &val).borrow().fields as *const Fields);
        observe::set_fields(got, table);
        return Ok((val, got));
    }
    let val = with_class!(kind, T => {
        let v = T { run, slot, fields };
        match api {
            "bound" => return absent("Bound::new"),
            "py" => Val::Py(Py::new(py, v).map_err(exc)?.into_py(py)),
            _ => {
                let c: &PyCell<T> = PyCell::new(py, v).map_err(exc)?;
                let r: &PyAny = c.as_ref();
                Val::GilRef(unsafe { extend(r) })
            }
        }
    });
    let got = observe::register("object", val.ptr());
    let table = with_class!(kind, T => &cell::<T>(py, &val).borrow().fields as *const Fields);
    observe::set_fields(got, table);
    Ok((val, got))
}

/// `a.borrow_mut().f = Some(v.into_py(py))` (or `= None`): +1 on the value, the old one
/// released while the borrow is held; a held borrow makes `borrow_mut` panic.
pub fn set_field(py: Tok, kind: &str, obj: &Val, field: &str, value: Option<&Val>) -> R<()> {
    let value: Option<Py<PyAny>> = value.map(|v| any(py, v).into_py(py));
    with_class!(kind, T => *cell::<T>(py, obj).borrow_mut().fields.slot(field) = value);
    Ok(())
}

/// `a.borrow_mut().f.take()`: the field's reference moves out (no refcount change); `None`
/// for an empty field.
pub fn take_field(py: Tok, kind: &str, obj: &Val, field: &str) -> R<Option<Val>> {
    Ok(with_class!(kind, T => cell::<T>(py, obj).borrow_mut().fields.slot(field).take()).map(Val::Py))
}

fn borrow_err(e: impl std::fmt::Display + std::fmt::Debug) -> Fail {
    Fail::Exception(format!("{e:?}: {e}"))
}

/// One of the borrow ops on an object of Rust type `kind`; the guards are compile errors.
pub fn borrow(py: Tok, kind: &str, op: &str, obj: &Val) -> R<Val> {
    let inner: Box<dyn Any> = with_any_class!(kind, T => {
        let c = cell::<T>(py, obj);
        match op {
            "borrow" => Box::new(c.borrow()) as Box<dyn Any>,
            "borrow_mut" => Box::new(c.borrow_mut()),
            "try_borrow" => Box::new(c.try_borrow().map_err(borrow_err)?),
            "try_borrow_mut" => Box::new(c.try_borrow_mut().map_err(borrow_err)?),
            _ => {
                let ty = if op == "guard" { "PyClassGuard" } else { "PyClassGuardMut" };
                return compile(format!("E0432: unresolved import `pyo3::{ty}`: the pyclass guards arrived in PyO3 0.26 (this is 0.20.3)"));
            }
        }
    });
    Ok(Val::Borrow(Borrow::new(op, obj.ptr(), inner)))
}

/// 0.20's PyRef/PyRefMut borrow the GIL ref (`&PyCell<T>`): they own no reference.
pub fn borrow_owns(_kind: &str) -> bool {
    false
}
