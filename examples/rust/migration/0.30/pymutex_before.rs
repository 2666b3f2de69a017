// @pyo3 0.29.3
// @python 3.13
// @expect pass

use pyo3::types::PyMutex;

// --8<-- [start:show]
fn bump(counter: &PyMutex<u64>) -> u64 {
    let mut guard = counter.lock().unwrap();
    *guard += 1;
    *guard
}
// --8<-- [end:show]
