//! expect: ok
//! Control: `clone_ref` needs no feature.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::with_gil(|py| {
        let p: Py<PyList> = PyList::empty_bound(py).unbind();
        let _q = p.clone_ref(py);
    });
}
