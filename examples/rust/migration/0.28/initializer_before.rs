// @pyo3 0.27.2
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
#[pyclass]
struct Session {
    id: u32,
}

fn reuse(py: Python<'_>, existing: Py<Session>) -> PyResult<Py<Session>> {
    Py::new(py, existing)
}
// --8<-- [end:show]
