//! expect: E0597
//! A GIL ref made after `new_pool` lives in that pool: it borrows the `GILPool` guard, so it
//! cannot be carried out of the block that drops the pool (the model reports the same code).
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::with_gil(|py| {
        let kept = {
            let pool = unsafe { py.new_pool() };
            let py = pool.python();
            PyList::empty(py)
        };
        let _ = kept;
    });
}
