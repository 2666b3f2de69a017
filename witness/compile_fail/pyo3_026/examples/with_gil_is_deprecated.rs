//! expect: use of deprecated
//! With deprecation warnings made errors, `with_gil` is reported as deprecated in 0.26.0 (the model's note).
#![deny(deprecated)]
use pyo3::prelude::*;

fn main() {
    Python::with_gil(|_py| {});
}
