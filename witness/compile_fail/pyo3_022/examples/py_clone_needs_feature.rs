//! expect: E0599
//! From 0.22, `Py<T>: Clone` only exists with the `py-clone` feature.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::with_gil(|py| {
        let p: Py<PyList> = PyList::empty_bound(py).unbind();
        let _q = p.clone();
    });
}
