// @pyo3 0.21.2 +gil-refs
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
fn first_name(py: Python<'_>) -> PyResult<&PyAny> {
    let names = PyList::new(py, ["ada", "grace"]);
    names.get_item(0)
}
// --8<-- [end:show]
