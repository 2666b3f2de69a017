// @pyo3 0.27.2
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
// 0.23 to 0.27: free-threading support has to be declared.
#[pymodule(gil_used = false)]
fn counters(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("VERSION", 1)?;
    Ok(())
}
// --8<-- [end:show]
