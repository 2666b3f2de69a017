//! expect: E0599
//! `Py::into_ref` (a GIL ref registered in the pool) was removed in 0.23.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::with_gil(|py| {
        let p: Py<PyList> = PyList::empty(py).unbind();
        let _r = p.into_ref(py);
    });
}
