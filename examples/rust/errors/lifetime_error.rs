// @pyo3 0.26.0
// @expect error: lifetime may not live long enough

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
struct Rows<'py>(&'py Bound<'py, PyList>);

impl<'py> FromPyObject<'py> for Rows<'py> {
    fn extract_bound(ob: &Bound<'py, PyAny>) -> PyResult<Self> {
        Ok(Rows(ob.downcast::<PyList>()?))
    }
}
// --8<-- [end:show]
