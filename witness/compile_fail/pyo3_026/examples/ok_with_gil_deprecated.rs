//! expect: ok
//! Control: `with_gil` and `allow_threads` still exist in 0.26.0, deprecated since 0.26.
use pyo3::prelude::*;
use pyo3::types::PyList;

#[allow(deprecated)]
fn main() {
    Python::with_gil(|py| {
        let p: Py<PyList> = PyList::empty(py).unbind();
        py.allow_threads(move || drop(p));
    });
}
