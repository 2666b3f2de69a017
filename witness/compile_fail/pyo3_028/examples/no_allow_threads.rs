//! expect: E0599
//! `allow_threads` is absent since 0.28 (`detach` replaced it).
use pyo3::prelude::*;

fn main() {
    Python::attach(|py| py.allow_threads(|| ()));
}
