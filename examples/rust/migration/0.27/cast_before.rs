// @pyo3 0.26.0
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
fn width(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
    let list = obj.downcast::<PyList>()?;
    Ok(list.len())
}
// --8<-- [end:show]
