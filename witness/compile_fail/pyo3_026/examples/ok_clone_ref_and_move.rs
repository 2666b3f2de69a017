//! expect: ok
//! Control: `clone_ref` needs no feature, and a Py may move into `detach`.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::attach(|py| {
        let p: Py<PyList> = PyList::empty(py).unbind();
        let q = p.clone_ref(py);
        py.detach(move || drop(q));
        drop(p);
    });
}
