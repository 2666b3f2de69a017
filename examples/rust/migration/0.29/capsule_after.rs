// @pyo3 0.29.3
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::sync::{Arc, Mutex};

// --8<-- [start:show]
fn wrap_buffer(py: Python<'_>, data: Vec<u8>, log: Arc<Mutex<Vec<usize>>>) -> PyResult<Bound<'_, PyCapsule>> {
    // The destructor runs whenever Python frees the capsule, so it owns what it uses.
    PyCapsule::new_with_value_and_destructor(py, data, c"demo.buffer", move |data, _ctx| {
        log.lock().unwrap().push(data.len());
    })
}
// --8<-- [end:show]
