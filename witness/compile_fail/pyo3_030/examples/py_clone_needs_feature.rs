//! expect: E0599
//! `Py<T>: Clone` still needs the `py-clone` feature in 0.30.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::attach(|py| {
        let p: Py<PyList> = PyList::empty(py).unbind();
        let _q = p.clone();
    });
}
