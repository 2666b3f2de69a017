// @pyo3 0.28.3
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyCFunction;
use std::cell::Cell;

// --8<-- [start:show]
fn counter(py: Python<'_>) -> PyResult<Bound<'_, PyCFunction>> {
    let calls = Cell::new(0u32);
    PyCFunction::new_closure(py, None, None, move |_args, _kwargs| -> PyResult<u32> {
        calls.set(calls.get() + 1);
        Ok(calls.get())
    })
}
// --8<-- [end:show]
