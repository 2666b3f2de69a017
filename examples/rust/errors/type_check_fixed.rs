// @pyo3 0.21.2
// @expect pass

use pyo3::prelude::*;
use pyo3::types::{PyInt, PyList};
use pyo3::{ffi, PyTypeInfo};

// --8<-- [start:show]
/// A list whose items are all ints: a type check that looks inside the object, as
/// rust-numpy's dtype checks do.
#[repr(transparent)]
pub struct IntList(PyAny);

pyo3::pyobject_native_type_named!(IntList);

unsafe impl PyTypeInfo for IntList {
    const NAME: &'static str = "IntList";
    const MODULE: Option<&'static str> = None;

    fn type_object_raw(py: Python<'_>) -> *mut ffi::PyTypeObject {
        PyList::type_object_raw(py)
    }

    // From 0.21 PyO3's own code (`downcast`, extraction) calls the Bound check, so this is the
    // method to override; an override of the GIL-Ref `is_type_of` alone is never consulted.
    fn is_type_of_bound(object: &Bound<'_, PyAny>) -> bool {
        match object.downcast::<PyList>() {
            Ok(list) => list.iter().all(|item| item.is_instance_of::<PyInt>()),
            Err(_) => false,
        }
    }
}
// --8<-- [end:show]

pub fn check(py: Python<'_>) -> bool {
    let ints = PyList::new_bound(py, [1, 2, 3]);
    let floats = PyList::new_bound(py, [1.5, 2.0]);
    ints.downcast::<IntList>().is_ok() && floats.downcast::<IntList>().is_err()
}
