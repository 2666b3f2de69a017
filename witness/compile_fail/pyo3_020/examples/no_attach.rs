//! expect: E0599
//! `Python::attach` arrived in 0.26.
use pyo3::prelude::*;

fn main() {
    Python::attach(|_py| {});
}
