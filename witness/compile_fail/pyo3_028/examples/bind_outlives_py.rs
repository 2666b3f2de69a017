//! expect: E0505
//! `p.bind(py)` borrows `p`; dropping `p` while that borrow is still used is rejected.
use pyo3::prelude::*;
use pyo3::types::{PyList, PyListMethods};

fn main() {
    Python::attach(|py| {
        let p: Py<PyList> = PyList::empty(py).unbind();
        let r = p.bind(py);
        drop(p);
        let _ = r.len();
    });
}
