// @pyo3 0.23.5
// @expect error E0599: no method named `unbind` found for enum

use pyo3::prelude::*;
use pyo3::types::PyTuple;

// --8<-- [start:show]
fn point(py: Python<'_>) -> Py<PyTuple> {
    PyTuple::new(py, [1, 2, 3]).unbind()
}
// --8<-- [end:show]
