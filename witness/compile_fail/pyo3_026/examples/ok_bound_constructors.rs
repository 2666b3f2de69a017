//! expect: ok
//! Control: in 0.26 the plain constructor names return Bound values.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::attach(|py| {
        let b: Bound<'_, PyList> = PyList::empty(py);
        let _p: Py<PyList> = b.unbind();
    });
}
