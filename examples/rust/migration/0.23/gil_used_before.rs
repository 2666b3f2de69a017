// @pyo3 0.23.5
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
// No declaration: on a free-threaded Python, importing this module turns the GIL back on.
#[pymodule]
fn counters(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("VERSION", 1)?;
    Ok(())
}
// --8<-- [end:show]
