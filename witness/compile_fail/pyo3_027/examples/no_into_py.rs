//! expect: E0599
//! `IntoPy::into_py` is absent since 0.25 (`into_pyobject` replaced it).
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::attach(|py| {
        let b = PyList::empty(py);
        let _p: Py<PyAny> = b.into_py(py);
    });
}
