//! expect: E0599
//! `Python::attach` arrives in 0.26.
use pyo3::prelude::*;

fn main() {
    Python::attach(|_py| {});
}
