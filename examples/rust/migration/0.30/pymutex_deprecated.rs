// @pyo3 0.30.1
// @python 3.13
// @expect deprecated: pyo3::sync::PyMutex

use pyo3::types::PyMutex;

// --8<-- [start:show]
fn bump(counter: &PyMutex<u64>) -> u64 {
    let mut guard = counter.lock().unwrap();
    *guard += 1;
    *guard
}
// --8<-- [end:show]
