// @pyo3 0.21.2
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
fn length(any: &Bound<'_, PyAny>) -> PyResult<usize> {
    // A type check that lends the same handle: no new reference, no conversion.
    let list = any.downcast::<PyList>()?;
    Ok(list.len())
}
// --8<-- [end:show]
