//! expect: use of deprecated
//! With deprecation warnings made errors, `allow_threads` is reported as deprecated in 0.27.2 (the model's note).
#![deny(deprecated)]
use pyo3::prelude::*;

fn main() {
    Python::attach(|py| py.allow_threads(|| ()));
}
