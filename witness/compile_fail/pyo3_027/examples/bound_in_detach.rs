//! expect: E0277
//! A Bound is not `Ungil`, so `detach` rejects a closure that uses it.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::attach(|py| {
        let b = PyList::empty(py);
        py.detach(|| drop(b));
    });
}
