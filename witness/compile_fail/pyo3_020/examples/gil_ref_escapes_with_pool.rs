//! expect: lifetime may not live long enough
//! `with_pool`'s closure gets a `Python<'py>` of its own; a GIL ref made from it cannot be the
//! closure's result (the model reports the same words, with no error code).
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::with_gil(|py| {
        let kept = py.with_pool(|py| PyList::empty(py));
        let _ = kept;
    });
}
