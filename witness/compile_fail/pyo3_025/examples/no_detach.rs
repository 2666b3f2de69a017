//! expect: E0599
//! `Python::detach` arrives in 0.26.
use pyo3::prelude::*;

fn main() {
    Python::with_gil(|py| py.detach(|| ()));
}
