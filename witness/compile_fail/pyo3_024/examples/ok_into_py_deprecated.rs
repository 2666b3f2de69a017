//! expect: ok
//! Control: `IntoPy::into_py` still exists in 0.24.2 (deprecated since 0.23).
use pyo3::prelude::*;
use pyo3::types::PyList;

#[allow(deprecated)]
fn main() {
    Python::with_gil(|py| {
        let b = PyList::empty(py);
        let _p: Py<PyAny> = b.into_py(py);
    });
}
