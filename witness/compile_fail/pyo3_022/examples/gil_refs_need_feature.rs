//! expect: E0599
//! From 0.22, the GIL-ref constructor `PyList::empty` needs the `gil-refs` feature.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::with_gil(|py| {
        let _ = PyList::empty(py);
    });
}
