// @pyo3 0.21.2
// @expect pass

use pyo3::ffi;
use pyo3::prelude::*;

// --8<-- [start:show]
fn raw(opt: Option<Bound<'_, PyAny>>) -> *mut ffi::PyObject {
    // Compiles, and dangles: the closure takes the Bound by value, so it is dropped (and its
    // reference released) before the pointer is returned.
    opt.map_or(std::ptr::null_mut(), |obj| obj.as_ptr())
}
// --8<-- [end:show]
