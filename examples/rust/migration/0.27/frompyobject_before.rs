// @pyo3 0.26.0
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
struct Celsius(f64);

impl<'py> FromPyObject<'py> for Celsius {
    fn extract_bound(obj: &Bound<'py, PyAny>) -> PyResult<Self> {
        Ok(Celsius(obj.getattr("celsius")?.extract()?))
    }
}

struct Readings(Vec<Celsius>);

impl<'py> FromPyObject<'py> for Readings {
    fn extract_bound(obj: &Bound<'py, PyAny>) -> PyResult<Self> {
        let mut out = Vec::new();
        for item in obj.try_iter()? {
            out.push(item?.extract::<Celsius>()?);
        }
        Ok(Readings(out))
    }
}
// --8<-- [end:show]
