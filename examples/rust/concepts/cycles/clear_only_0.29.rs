// @pyo3 0.29.3
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
#[pyclass]
struct ClearOnly {
    next: Option<Py<PyAny>>,
}

#[pymethods]
impl ClearOnly {
    // Compiles up to 0.29; creating the type (m.add_class) raises a RuntimeError whose cause
    // is a TypeError: __clear__ without __traverse__.
    fn __clear__(&mut self) {
        self.next = None;
    }
}
// --8<-- [end:show]
