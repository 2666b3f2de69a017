// @pyo3 0.22.6 +gil-refs
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
#[pyfunction]
fn names(py: Python<'_>) -> usize {
    // No warning: the GIL Ref goes back into the owned-object pool, and since 0.22 a call from
    // Python opens no pool, so nothing releases it until the thread's next real GIL release.
    let list: &PyList = PyList::empty_bound(py).into_gil_ref();
    list.len()
}
// --8<-- [end:show]
