// @pyo3 0.21.2
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
/// The same function with the Bound API: the list is an owned, reference-counting handle.
fn build(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let list = PyList::new_bound(py, [1, 2, 3]);
    list.append(4)?;
    Ok(list)
}
// --8<-- [end:show]
