//! expect: lifetime may not live long enough
//! A Bound cannot leave the `with_gil` closure that made its `'py` (the model's E0521 teaching error).
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    let escaped = Python::with_gil(|py| PyList::empty(py));
    let _ = escaped;
}
