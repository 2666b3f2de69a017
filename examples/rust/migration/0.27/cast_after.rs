// @pyo3 0.27.2
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
fn width(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
    let list = obj.cast::<PyList>()?;
    Ok(list.len())
}
// --8<-- [end:show]
