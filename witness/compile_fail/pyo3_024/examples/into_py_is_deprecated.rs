//! expect: use of deprecated
//! With deprecation warnings made errors, `into_py` is reported as deprecated in 0.24.2 (the model's note).
#![deny(deprecated)]
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::with_gil(|py| {
        let b = PyList::empty(py);
        let _p: Py<PyAny> = b.into_py(py);
    });
}
