// @pyo3 0.26.0
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
/// Own the handle instead of borrowing it: one incref, and no lifetime tied to the argument.
struct Rows<'py>(Bound<'py, PyList>);

impl<'py> FromPyObject<'py> for Rows<'py> {
    fn extract_bound(ob: &Bound<'py, PyAny>) -> PyResult<Self> {
        Ok(Rows(ob.downcast::<PyList>()?.clone()))
    }
}
// --8<-- [end:show]
