// @pyo3 0.21.2
// @expect pass

use pyo3::prelude::*;
use pyo3::pycell::PyBorrowMutError;

// --8<-- [start:show]
#[pyclass]
struct Counter {
    hits: u32,
}

fn bump(py: Python<'_>) -> PyResult<u32> {
    let counter: Bound<'_, Counter> = Bound::new(py, Counter { hits: 0 })?;
    // From 0.21 a PyRef owns a clone of the Bound: one more reference while it lives.
    let reading: PyRef<'_, Counter> = counter.borrow();
    let refused: Result<PyRefMut<'_, Counter>, PyBorrowMutError> = counter.try_borrow_mut();
    if let Err(err) = refused {
        // Display says "Already borrowed"; as a PyErr it becomes a RuntimeError.
        let as_python: PyErr = err.into();
        assert!(as_python.is_instance_of::<pyo3::exceptions::PyRuntimeError>(py));
    }
    drop(reading); // the borrow flag and the refcount both go back down
    counter.borrow_mut().hits += 1;
    let hits = counter.borrow().hits;
    Ok(hits)
}
// --8<-- [end:show]
