//! expect: E0277
//! A GIL ref cannot be used inside `allow_threads` (the closure must be `Ungil`).
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::with_gil(|py| {
        let list: &PyList = PyList::empty(py);
        py.allow_threads(|| {
            let _ = list.len();
        });
    });
}
