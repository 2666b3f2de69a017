// @pyo3 0.30.1
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
    // The same code as in 0.29. What changed is around it: every pyclass is now a GC type, and
    // the traverse PyO3 generates also visits the object's type.
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.next)?;
        Ok(())
    }

    fn __clear__(&mut self) {
        self.next = None;
    }
}
// --8<-- [end:show]
