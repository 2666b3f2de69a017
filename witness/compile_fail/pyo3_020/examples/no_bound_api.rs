//! expect: E0599
//! The Bound API (`PyList::empty_bound`) does not exist before 0.21.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::with_gil(|py| {
        let _ = PyList::empty_bound(py);
    });
}
