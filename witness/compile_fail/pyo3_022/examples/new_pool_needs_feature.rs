//! expect: E0599
//! From 0.22, `Python::new_pool` needs the `gil-refs` feature.
use pyo3::prelude::*;

fn main() {
    Python::with_gil(|py| {
        let _pool = unsafe { py.new_pool() };
    });
}
