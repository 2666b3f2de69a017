// @pyo3 0.21.2
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyString;

// --8<-- [start:show]
#[pyfunction]
fn count_names(py: Python<'_>, n: usize) -> PyResult<usize> {
    let mut total = 0;
    for i in 0..n {
        let name = PyString::new_bound(py, &format!("name-{i}"));
        total += name.len()?;
    } // `name` is dropped at the end of every iteration: one string alive at a time.
    Ok(total)
}
// --8<-- [end:show]
