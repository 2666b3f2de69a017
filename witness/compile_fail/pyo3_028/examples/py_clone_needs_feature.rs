//! expect: E0599
//! `Py<T>: Clone` needs the `py-clone` feature (not enabled here) in 0.28.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::attach(|py| {
        let p: Py<PyList> = PyList::empty(py).unbind();
        let _q = p.clone();
    });
}
