// @pyo3 0.20.3
// @expect pass

use pyo3::prelude::*;
use pyo3::{PyTraverseError, PyVisit};

// --8<-- [start:show]
#[pyclass]
struct Node {
    next: Option<Py<PyAny>>,
}

#[pymethods]
impl Node {
    // Up to 0.24, `visit.call` takes a reference to the Py itself, not to the Option.
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        if let Some(next) = &self.next {
            visit.call(next)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        self.next = None;
    }
}
// --8<-- [end:show]
