//! expect: ok
//! Control: cloning a Bound, unbinding it and moving the Py into `allow_threads` all compile.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::with_gil(|py| {
        let b = PyList::empty_bound(py);
        let c = b.clone();
        let p: Py<PyList> = c.unbind();
        py.allow_threads(move || drop(p));
        drop(b);
    });
}
