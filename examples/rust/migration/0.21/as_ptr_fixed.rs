// @pyo3 0.21.2
// @expect pass

use pyo3::ffi;
use pyo3::prelude::*;

// --8<-- [start:show]
fn raw(opt: &Option<Bound<'_, PyAny>>) -> *mut ffi::PyObject {
    // Borrow the Bound instead: the caller's handle keeps the object alive.
    opt.as_ref().map_or(std::ptr::null_mut(), Bound::as_ptr)
}
// --8<-- [end:show]
