// @pyo3 0.28.3
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
#[pyclass]
struct Session {
    id: u32,
}

fn reuse(py: Python<'_>, existing: &Py<Session>) -> Py<Session> {
    // Another reference to the same object: one incref, no new instance.
    existing.clone_ref(py)
}
// --8<-- [end:show]
