// @pyo3 0.23.5
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
// Declared safe without the GIL: the free-threaded interpreter keeps running without one.
#[pymodule(gil_used = false)]
fn counters(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("VERSION", 1)?;
    Ok(())
}
// --8<-- [end:show]
