//! expect: E0599
//! `Py::from_owned_ptr` (deprecated in 0.28) is removed in 0.30 (#6519): build a `Bound`, then unbind.
use pyo3::prelude::*;

fn main() {
    Python::attach(|py| {
        let ptr = unsafe { pyo3::ffi::PyList_New(0) };
        let _p: Py<PyAny> = unsafe { Py::from_owned_ptr(py, ptr) };
    });
}
