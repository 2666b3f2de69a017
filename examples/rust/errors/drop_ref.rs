// @pyo3 0.21.2
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
fn release_now(py: Python<'_>, cache: Py<PyAny>) {
    // Decref right here, while attached, instead of wherever `cache` would have been dropped.
    cache.drop_ref(py);
}
// --8<-- [end:show]
