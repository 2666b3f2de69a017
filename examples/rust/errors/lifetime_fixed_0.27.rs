// @pyo3 0.27.2
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
/// From 0.27 the input lifetime 'a is separate from 'py, so a borrow of the input is expressible.
struct Rows<'a, 'py>(Borrowed<'a, 'py, PyList>);

impl<'a, 'py> FromPyObject<'a, 'py> for Rows<'a, 'py> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> Result<Self, Self::Error> {
        Ok(Rows(obj.cast::<PyList>()?))
    }
}
// --8<-- [end:show]
