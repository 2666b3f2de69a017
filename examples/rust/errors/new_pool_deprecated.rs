// @pyo3 0.21.2
// @expect deprecated: new_pool

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
fn drain_each(py: Python<'_>, n: usize) {
    for _ in 0..n {
        // Unsafe: a GIL ref made inside must not be used after `pool` is dropped.
        let pool = unsafe { py.new_pool() };
        let py = pool.python();
        let _scratch = PyList::empty_bound(py);
    }
}
// --8<-- [end:show]
