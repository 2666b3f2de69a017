// @pyo3 0.30.1
// @expect pass

use pyo3::ffi;
use pyo3::prelude::*;

// --8<-- [start:show]
unsafe fn adopt(py: Python<'_>, owned: *mut ffi::PyObject) -> Py<PyAny> {
    // The Bound takes over the reference; unbind keeps it, with no count change.
    Bound::from_owned_ptr(py, owned).unbind()
}

unsafe fn share(py: Python<'_>, borrowed: *mut ffi::PyObject) -> Py<PyAny> {
    // Borrowed costs nothing; to_owned is the +1 that the old call made implicitly.
    Borrowed::from_ptr(py, borrowed).to_owned().unbind()
}
// --8<-- [end:show]
