// @pyo3 0.24.2
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
fn same_object(a: &Bound<'_, PyAny>, b: &Bound<'_, PyList>) -> bool {
    a.is(b.as_ref())
}
// --8<-- [end:show]
