//! expect: E0599
//! `Py<T>: Clone` needs the `py-clone` feature (not enabled here) in 0.25.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::with_gil(|py| {
        let p: Py<PyList> = PyList::empty(py).unbind();
        let _q = p.clone();
    });
}
