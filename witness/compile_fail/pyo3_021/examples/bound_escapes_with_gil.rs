//! expect: lifetime may not live long enough
//! A `Bound<'py, T>` cannot leave the `with_gil` closure that made its `'py`.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    let escaped = Python::with_gil(|py| PyList::empty_bound(py));
    let _ = escaped;
}
