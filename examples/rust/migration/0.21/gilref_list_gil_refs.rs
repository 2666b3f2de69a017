// @pyo3 0.21.2 +gil-refs
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
/// Builds a list with the GIL Refs API: the `&PyList` lives as long as the GILPool.
fn build(py: Python<'_>) -> PyResult<&PyList> {
    let list = PyList::new(py, [1, 2, 3]);
    list.append(4)?;
    Ok(list)
}
// --8<-- [end:show]
