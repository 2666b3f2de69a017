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
    // Visible to the collector, but with no __clear__ it has nothing to call to break a cycle:
    // a cycle of these is found (and counted) by every collection and never freed.
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.next)?;
        Ok(())
    }
}
// --8<-- [end:show]
