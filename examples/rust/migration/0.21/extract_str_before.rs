// @pyo3 0.20.3
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
fn class_name(obj: &PyAny) -> PyResult<&str> {
    // The GIL ref returned by getattr lives in the pool, so the &str may live as long.
    let name: &str = obj.getattr("__name__")?.extract()?;
    Ok(name)
}
// --8<-- [end:show]
