// @pyo3 0.21.2
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
#[pyfunction]
fn total(values: &Bound<'_, PyList>) -> PyResult<i64> {
    let mut sum = 0;
    for item in values.iter() {
        sum += item.extract::<i64>()?;
    }
    Ok(sum)
}

fn caller(py: Python<'_>) -> PyResult<i64> {
    let values = PyList::new_bound(py, [1, 2, 3]);
    // Lend the handle with `&`; a `.clone()` would cost one refcount increment.
    total(&values)
}
// --8<-- [end:show]
