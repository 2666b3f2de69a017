//! expect: E0277
//! `Python::with_pool` wants an `Ungil` closure (`Send` without the nightly feature), and a GIL
//! ref such as `&PyList` is not `Send`, so the closure may not use one made outside it.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::with_gil(|py| {
        let outer: &PyList = PyList::empty(py);
        py.with_pool(|_py| {
            let _ = outer.len();
        });
    });
}
