//! expect: E0277
//! A Bound is not `Ungil`, so `allow_threads` rejects a closure that uses it.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::with_gil(|py| {
        let b = PyList::empty(py);
        py.allow_threads(|| drop(b));
    });
}
