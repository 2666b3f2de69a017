// @pyo3 0.21.2
// @expect deprecated: with_pool

use pyo3::prelude::*;
use pyo3::types::PyString;

// --8<-- [start:show]
#[pyfunction]
fn count_names_pooled(py: Python<'_>, n: usize) -> PyResult<usize> {
    let mut total = 0;
    for i in 0..n {
        total += py.with_pool(|py| -> PyResult<usize> {
            Ok(PyString::new_bound(py, &format!("name-{i}")).len()?)
        })?;
    }
    Ok(total)
}
// --8<-- [end:show]
