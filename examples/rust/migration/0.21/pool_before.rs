// @pyo3 0.20.3
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyString;

// --8<-- [start:show]
/// Called from Python once, runs a long loop inside a single GILPool.
#[pyfunction]
fn count_names(py: Python<'_>, n: usize) -> PyResult<usize> {
    let mut total = 0;
    for i in 0..n {
        // Each GIL ref is registered in the pool and released only when the pool drops...
        let name = PyString::new(py, &format!("name-{i}"));
        total += name.len()?;
    }
    Ok(total) // ...so all n strings are still alive here, until the call returns.
}

#[pyfunction]
fn count_names_pooled(py: Python<'_>, n: usize) -> PyResult<usize> {
    let mut total = 0;
    for i in 0..n {
        // The 0.20 workaround: a short-lived pool per iteration.
        total += py.with_pool(|py| -> PyResult<usize> {
            PyString::new(py, &format!("name-{i}")).len()
        })?;
    }
    Ok(total)
}
// --8<-- [end:show]
