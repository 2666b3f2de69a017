//! expect: E0599
//! `allow_threads` was removed in 0.28 (use `detach`).
use pyo3::prelude::*;

fn main() {
    Python::attach(|py| py.allow_threads(|| ()));
}
