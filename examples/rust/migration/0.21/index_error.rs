// @pyo3 0.21.2
// @expect error E0608: cannot index into a value of type

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
fn first(list: &Bound<'_, PyList>) -> PyResult<i64> {
    list[0].extract()
}
// --8<-- [end:show]
