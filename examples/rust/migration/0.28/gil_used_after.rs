// @pyo3 0.28.3
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
// 0.28: a plain #[pymodule] already declares gil_used = false.
#[pymodule]
fn counters(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("VERSION", 1)?;
    Ok(())
}

// A module whose state still relies on the GIL now has to say so.
#[pymodule(gil_used = true)]
fn legacy(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("VERSION", 1)?;
    Ok(())
}
// --8<-- [end:show]
