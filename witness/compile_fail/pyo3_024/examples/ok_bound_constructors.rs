//! expect: ok
//! Control: in 0.24 the plain constructor names return Bound values.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::with_gil(|py| {
        let b: Bound<'_, PyList> = PyList::empty(py);
        let _p: Py<PyList> = b.unbind();
    });
}
