// @pyo3 0.21.2
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
fn shout(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    // The &str borrows from the Bound<PyString>, so the Bound needs a name that outlives it.
    let py_text = obj.str()?;
    let text: &str = py_text.to_str()?;
    Ok(text.to_uppercase())
}
// --8<-- [end:show]
