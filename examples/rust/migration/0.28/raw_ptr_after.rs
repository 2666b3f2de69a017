// @pyo3 0.28.3
// @expect pass

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyNone;

// --8<-- [start:show]
unsafe fn adopt_none(py: Python<'_>, ptr: *mut ffi::PyObject) -> Py<PyNone> {
    // Two explicit steps: take over the reference as PyAny, then assert its type.
    Bound::from_owned_ptr(py, ptr)
        .cast_into_unchecked::<PyNone>()
        .unbind()
}
// --8<-- [end:show]
