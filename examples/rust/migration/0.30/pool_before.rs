// @pyo3 0.29.3
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
fn release_detached(py: Python<'_>, cache: Py<PyList>) {
    py.detach(move || {
        // Not attached: the decref is queued in the reference pool...
        drop(cache);
    });
    // ...and applied here, as `detach` re-attaches the thread.
}
// --8<-- [end:show]
