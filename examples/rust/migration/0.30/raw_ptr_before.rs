// @pyo3 0.29.3
// @expect deprecated: Bound::from_owned_ptr
// @expect deprecated: from_borrowed_ptr

use pyo3::ffi;
use pyo3::prelude::*;

// --8<-- [start:show]
unsafe fn adopt(py: Python<'_>, owned: *mut ffi::PyObject) -> Py<PyAny> {
    // Takes over the reference that `owned` carries.
    Py::from_owned_ptr(py, owned)
}

unsafe fn share(py: Python<'_>, borrowed: *mut ffi::PyObject) -> Py<PyAny> {
    // Makes a new reference (+1) to an object someone else owns.
    Py::from_borrowed_ptr(py, borrowed)
}
// --8<-- [end:show]
