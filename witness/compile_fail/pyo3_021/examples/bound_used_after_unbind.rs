//! expect: E0382
//! `unbind` takes the Bound by value.
use pyo3::prelude::*;
use pyo3::types::{PyList, PyListMethods};

fn main() {
    Python::with_gil(|py| {
        let b = PyList::empty_bound(py);
        let _p = b.unbind();
        let _ = b.len();
    });
}
