// @pyo3 0.21.2
// @expect error E0277: FromPyObject

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
fn length(any: &Bound<'_, PyAny>) -> PyResult<usize> {
    let list = any.extract::<&Bound<'_, PyList>>()?;
    Ok(list.len())
}
// --8<-- [end:show]
