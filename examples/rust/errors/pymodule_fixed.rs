// @pyo3 0.21.2
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
#[pymodule]
fn bound_ext(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("answer", 42)?;
    Ok(())
}
// --8<-- [end:show]
