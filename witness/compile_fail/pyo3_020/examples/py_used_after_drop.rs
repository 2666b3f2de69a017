//! expect: E0382
//! `drop` moves a `Py<T>`; using it afterwards is a use after move.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::with_gil(|py| {
        let p: Py<PyList> = PyList::empty(py).into();
        drop(p);
        let _ = p.as_ref(py).len();
    });
}
