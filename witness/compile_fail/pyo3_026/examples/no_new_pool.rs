//! expect: E0599
//! `Python::new_pool` (the GIL-ref pool) is absent since 0.23.
use pyo3::prelude::*;

fn main() {
    Python::attach(|py| {
        let _pool = unsafe { py.new_pool() };
    });
}
