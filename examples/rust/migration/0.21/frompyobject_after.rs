// @pyo3 0.21.2
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
struct Celsius(f64);

impl<'py> FromPyObject<'py> for Celsius {
    fn extract_bound(ob: &Bound<'py, PyAny>) -> PyResult<Self> {
        Ok(Celsius(ob.getattr("celsius")?.extract()?))
    }
}
// --8<-- [end:show]
