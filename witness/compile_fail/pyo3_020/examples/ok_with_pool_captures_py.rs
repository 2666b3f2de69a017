//! expect: ok
//! A `Py<T>` is Send, so a `with_pool` closure may capture it (control for the case below).
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::with_gil(|py| {
        let p: Py<PyList> = PyList::empty(py).into();
        py.with_pool(|py| {
            let _ = p.as_ref(py).len();
        });
    });
}
