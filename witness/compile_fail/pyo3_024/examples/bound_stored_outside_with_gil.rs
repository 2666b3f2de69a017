//! expect: E0521
//! Storing a Bound into a variable declared outside `with_gil` is E0521 (the code the model gives a
//! `return` out of the block; returning it as the closure's value is reported without a code).
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    let mut out = None;
    Python::with_gil(|py| {
        out = Some(PyList::empty(py));
    });
    drop(out);
}
