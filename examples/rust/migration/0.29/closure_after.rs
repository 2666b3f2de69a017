// @pyo3 0.29.3
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyCFunction;
use std::sync::atomic::{AtomicU32, Ordering};

// --8<-- [start:show]
fn counter(py: Python<'_>) -> PyResult<Bound<'_, PyCFunction>> {
    // Two threads may call the function at once, so its state must be Sync.
    let calls = AtomicU32::new(0);
    PyCFunction::new_closure(py, None, None, move |_args, _kwargs| -> PyResult<u32> {
        Ok(calls.fetch_add(1, Ordering::Relaxed) + 1)
    })
}
// --8<-- [end:show]
