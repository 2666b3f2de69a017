// @pyo3 0.28.3
// @expect deprecated: Bound::from_owned_ptr

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyNone;

// --8<-- [start:show]
unsafe fn adopt_none(py: Python<'_>, ptr: *mut ffi::PyObject) -> Py<PyNone> {
    // Takes over the reference `ptr` owns; nothing checks that it really is None.
    Py::<PyNone>::from_owned_ptr(py, ptr)
}
// --8<-- [end:show]
