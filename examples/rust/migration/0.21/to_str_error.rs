// @pyo3 0.21.2
// @expect error E0716: temporary value dropped while borrowed

use pyo3::prelude::*;

// --8<-- [start:show]
fn shout(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    let text: &str = obj.str()?.to_str()?;
    Ok(text.to_uppercase())
}
// --8<-- [end:show]
