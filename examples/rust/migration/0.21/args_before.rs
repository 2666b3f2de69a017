// @pyo3 0.20.3
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
#[pyfunction]
fn total(values: &PyList) -> PyResult<i64> {
    let mut sum = 0;
    for item in values {
        sum += item.extract::<i64>()?;
    }
    Ok(sum)
}
// --8<-- [end:show]
