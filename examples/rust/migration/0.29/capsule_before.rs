// @pyo3 0.28.3
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::ffi::CString;
use std::sync::Mutex;

// --8<-- [start:show]
fn wrap_buffer<'py>(py: Python<'py>, data: Vec<u8>, log: &'py Mutex<Vec<usize>>) -> PyResult<Bound<'py, PyCapsule>> {
    let name = CString::new("demo.buffer").unwrap();
    // The destructor borrows `log`, so it may outlive nothing it captured... in theory.
    PyCapsule::new_with_destructor(py, data, Some(name), move |data, _ctx| {
        log.lock().unwrap().push(data.len());
    })
}
// --8<-- [end:show]
