//! expect: E0599
//! `Python::with_gil` was removed in 0.28 (use `Python::attach`).
use pyo3::prelude::*;

fn main() {
    Python::with_gil(|_py| {});
}
