// @pyo3 0.23.5
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyTuple;

// --8<-- [start:show]
fn point(py: Python<'_>) -> PyResult<Py<PyTuple>> {
    // The constructor converts each element with IntoPyObject, which may fail: it returns a
    // PyResult, and `?` hands the error on.
    let tup: Bound<'_, PyTuple> = PyTuple::new(py, [1, 2, 3])?;
    Ok(tup.unbind())
}
// --8<-- [end:show]
