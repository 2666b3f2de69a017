//! expect: E0599
//! The GIL-ref pool (`Python::new_pool`) was removed in 0.23, together with the gil-refs feature.
use pyo3::prelude::*;

fn main() {
    Python::with_gil(|py| {
        let _pool = unsafe { py.new_pool() };
    });
}
