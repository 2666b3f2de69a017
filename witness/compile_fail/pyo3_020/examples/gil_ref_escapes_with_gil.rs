//! expect: lifetime may not live long enough
//! A GIL ref is tied to the `'py` of the `with_gil` closure and cannot be returned from it.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    let escaped = Python::with_gil(|py| PyList::empty(py));
    let _ = escaped;
}
