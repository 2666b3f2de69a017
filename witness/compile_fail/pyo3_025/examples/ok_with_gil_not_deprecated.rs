//! expect: ok
//! Control: `with_gil` and `allow_threads` are the current names in 0.25.1 (no deprecation yet).
#![deny(deprecated)]
use pyo3::prelude::*;

fn main() {
    Python::with_gil(|py| py.allow_threads(|| ()));
}
