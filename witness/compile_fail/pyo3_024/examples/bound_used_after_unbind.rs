//! expect: E0382
//! `unbind` consumes the Bound; using it again is a use after move.
use pyo3::prelude::*;
use pyo3::types::{PyList, PyListMethods};

fn main() {
    Python::with_gil(|py| {
        let b = PyList::empty(py);
        let _p = b.unbind();
        let _ = b.len();
    });
}
