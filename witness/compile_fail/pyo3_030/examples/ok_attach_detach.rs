//! expect: ok
//! Control: attach, then detach with a Py moved in; dropping it detached defers the decref.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::attach(|py| {
        let p: Py<PyList> = PyList::empty(py).unbind();
        py.detach(move || drop(p));
    });
}
