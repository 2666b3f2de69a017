// @pyo3 0.25.1
// @expect error E0283: type annotations needed

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
fn same_object(a: &Bound<'_, PyAny>, b: &Bound<'_, PyList>) -> bool {
    a.is(b.as_ref())
}
// --8<-- [end:show]
