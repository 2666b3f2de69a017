// @pyo3 0.27.2
// @expect deprecated: cast

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
fn width(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
    let list = obj.downcast::<PyList>()?;
    Ok(list.len())
}
// --8<-- [end:show]
