//! expect: E0599
//! `Py::from_borrowed_ptr` (deprecated in 0.28) is removed in 0.30 (#6519): use `Borrowed::from_borrowed_ptr`.
use pyo3::prelude::*;

fn main() {
    Python::attach(|py| {
        let list = pyo3::types::PyList::empty(py);
        let _p: Py<PyAny> = unsafe { Py::from_borrowed_ptr(py, list.as_ptr()) };
    });
}
