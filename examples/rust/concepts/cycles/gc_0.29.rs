// @pyo3 0.29.3
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
    // Tells the collector which objects this one holds (and makes the type a GC type).
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.next)?;
        Ok(())
    }

    // Called on a cycle the collector found unreachable: dropping the field breaks it.
    fn __clear__(&mut self) {
        self.next = None;
    }
}
// --8<-- [end:show]
