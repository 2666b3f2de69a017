// @pyo3 0.21.2
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
#[pyclass]
struct Counter {
    hits: u32,
}

fn bump(py: Python<'_>) -> PyResult<u32> {
    // While the GIL is held: a Bound, borrowed like a RefCell.
    let counter: Bound<'_, Counter> = Bound::new(py, Counter { hits: 0 })?;
    counter.borrow_mut().hits += 1;

    // To store it somewhere GIL-independent: a Py, which asks for `py` to borrow.
    let stored: Py<Counter> = Py::new(py, Counter { hits: 0 })?;
    stored.borrow_mut(py).hits += 1;

    let hits = counter.borrow().hits + stored.borrow(py).hits;
    Ok(hits)
}
// --8<-- [end:show]
