//! expect: E0277
//! A Bound is not `Send`: it cannot move into another thread's closure.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::attach(|py| {
        let b = PyList::empty(py);
        std::thread::scope(|s| {
            s.spawn(move || drop(b));
        });
    });
}
