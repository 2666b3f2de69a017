//! expect: use of deprecated method
//! `Py::get_refcnt` stays deprecated in 0.30 (since 0.29): read `ffi::Py_REFCNT` if you must.
#![deny(deprecated)]
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::attach(|py| {
        let p: Py<PyList> = PyList::empty(py).unbind();
        let _ = p.get_refcnt(py);
    });
}
