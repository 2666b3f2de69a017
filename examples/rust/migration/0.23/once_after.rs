// @pyo3 0.23.5
// @expect pass

use pyo3::prelude::*;
use pyo3::sync::OnceLockExt;
use std::sync::OnceLock;

// --8<-- [start:show]
static TABLE: OnceLock<Vec<u64>> = OnceLock::new();

fn table(py: Python<'_>) -> &'static [u64] {
    // Runs the closure once; a thread that has to wait for it detaches meanwhile.
    TABLE.get_or_init_py_attached(py, || (0..16).map(|i| i * i).collect())
}
// --8<-- [end:show]

pub fn touch(py: Python<'_>) -> usize {
    table(py).len()
}
