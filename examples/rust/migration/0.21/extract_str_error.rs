// @pyo3 0.21.2
// @expect error E0716: temporary value dropped while borrowed

use pyo3::prelude::*;

// --8<-- [start:show]
fn class_name_len(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
    let name: &str = obj.getattr("__name__")?.extract()?;
    Ok(name.len())
}
// --8<-- [end:show]
