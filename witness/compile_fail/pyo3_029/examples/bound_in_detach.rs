//! expect: E0277
//! A Bound cannot be used inside `detach`.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::attach(|py| {
        let b = PyList::empty(py);
        py.detach(|| drop(b));
    });
}
