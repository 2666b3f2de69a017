// @pyo3 0.21.2
// @expect deprecated: function_arg

use pyo3::prelude::*;

// --8<-- [start:show]
#[pymodule]
fn legacy_ext(_py: Python<'_>, m: &PyModule) -> PyResult<()> {
    m.add("answer", 42)?;
    Ok(())
}
// --8<-- [end:show]
