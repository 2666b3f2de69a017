// @pyo3 0.26.0
// @expect pass

use pyo3::prelude::*;
use pyo3::{PyClassGuard, PyClassGuardMut};

// --8<-- [start:show]
#[pyclass]
struct Counter {
    hits: u32,
}

#[pymethods]
impl Counter {
    // A guard as the receiver: a borrowed pointer to the object, no incref.
    fn read(slf: PyClassGuard<'_, Self>) -> u32 {
        slf.hits
    }

    fn bump(mut slf: PyClassGuardMut<'_, Self>) {
        slf.hits += 1;
    }
}

fn peek(counter: &Bound<'_, Counter>) -> PyResult<u32> {
    // Extracting a guard goes through the try_ path: a conflict is a RuntimeError, not a panic.
    let guard: PyClassGuard<'_, Counter> = counter.extract()?;
    // Guards and PyRefs share one borrow flag: this exclusive borrow is refused.
    assert!(counter.try_borrow_mut().is_err());
    Ok(guard.hits)
}
// --8<-- [end:show]
