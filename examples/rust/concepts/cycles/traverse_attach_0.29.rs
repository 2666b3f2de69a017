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
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        // Compiles, but panics on every call: attaching is forbidden while the collector runs.
        // PyO3 catches the panic, so `next` is never visited and the cycle stays hidden.
        let is_set = Python::attach(|py| self.next.as_ref().is_some_and(|n| !n.is_none(py)));
        if is_set {
            visit.call(&self.next)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        self.next = None;
    }
}
// --8<-- [end:show]
