//! expect: E0599
//! `Py::into_ref` (a GIL ref kept alive by the owned-object pool) is absent since 0.23.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::attach(|py| {
        let p: Py<PyList> = PyList::empty(py).unbind();
        let _r = p.into_ref(py);
    });
}
