// @pyo3 0.21.2
// @expect deprecated: PyCell

use pyo3::prelude::*;

// --8<-- [start:show]
#[pyclass]
struct Counter {
    hits: u32,
}

fn bump(py: Python<'_>) -> PyResult<u32> {
    let cell: &PyCell<Counter> = PyCell::new(py, Counter { hits: 0 })?;
    cell.borrow_mut().hits += 1;
    let hits = cell.borrow().hits;
    Ok(hits)
}
// --8<-- [end:show]
