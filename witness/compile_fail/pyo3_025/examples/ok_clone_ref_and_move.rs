//! expect: ok
//! Control: `clone_ref` needs no feature, and a Py may move into `allow_threads`.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::with_gil(|py| {
        let p: Py<PyList> = PyList::empty(py).unbind();
        let q = p.clone_ref(py);
        py.allow_threads(move || drop(q));
        drop(p);
    });
}
