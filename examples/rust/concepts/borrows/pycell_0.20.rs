// @pyo3 0.20.3
// @expect pass

use pyo3::prelude::*;
use pyo3::PyCell;

// --8<-- [start:show]
#[pyclass]
struct Counter {
    hits: u32,
}

fn bump(py: Python<'_>) -> PyResult<u32> {
    let cell: &PyCell<Counter> = PyCell::new(py, Counter { hits: 0 })?;
    // A PyRef in 0.20 points at the cell; the object's refcount does not move.
    let reading: PyRef<'_, Counter> = cell.borrow();
    // A shared borrow is held, so an exclusive one is refused (try_) or would panic (plain).
    assert!(cell.try_borrow_mut().is_err());
    drop(reading);
    cell.borrow_mut().hits += 1;
    let hits = cell.borrow().hits;
    Ok(hits)
}
// --8<-- [end:show]
