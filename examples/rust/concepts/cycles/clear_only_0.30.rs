// @pyo3 0.30.1
// @expect error E0080: requires an implementation of `__traverse__`

use pyo3::prelude::*;

// --8<-- [start:show]
#[pyclass]
struct ClearOnly {
    next: Option<Py<PyAny>>,
}

#[pymethods]
impl ClearOnly {
    fn __clear__(&mut self) {
        self.next = None;
    }
}
// --8<-- [end:show]
