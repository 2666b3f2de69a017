// @pyo3 0.23.5
// @expect deprecated: renamed to `PyTuple::new`

use pyo3::prelude::*;
use pyo3::types::PyTuple;

// --8<-- [start:show]
fn point(py: Python<'_>) -> Py<PyTuple> {
    let tup: Bound<'_, PyTuple> = PyTuple::new_bound(py, [1, 2, 3]);
    tup.unbind()
}
// --8<-- [end:show]
