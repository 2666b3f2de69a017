//! expect: E0599
//! `Python::with_gil` is absent since 0.28 (`Python::attach` replaced it).
use pyo3::prelude::*;

fn main() {
    Python::with_gil(|_py| {});
}
