// @pyo3 0.22.6
// @expect error E0599: no function or associated item named `new` found

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
fn first_name(py: Python<'_>) -> PyResult<&PyAny> {
    let names = PyList::new(py, ["ada", "grace"]);
    names.get_item(0)
}
// --8<-- [end:show]
