// @pyo3 0.23.5
// @expect pass

use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;

// --8<-- [start:show]
static TABLE: GILOnceCell<Vec<u64>> = GILOnceCell::new();

fn table(py: Python<'_>) -> &'static [u64] {
    // Two threads may both run the closure: only one result is kept.
    TABLE.get_or_init(py, || (0..16).map(|i| i * i).collect())
}
// --8<-- [end:show]

pub fn touch(py: Python<'_>) -> usize {
    table(py).len()
}
