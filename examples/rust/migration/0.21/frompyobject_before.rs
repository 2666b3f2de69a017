// @pyo3 0.20.3
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
struct Celsius(f64);

impl<'source> FromPyObject<'source> for Celsius {
    fn extract(ob: &'source PyAny) -> PyResult<Self> {
        Ok(Celsius(ob.getattr("celsius")?.extract()?))
    }
}
// --8<-- [end:show]
