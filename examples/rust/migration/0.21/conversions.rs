// @pyo3 0.21.2 +gil-refs
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
fn bridges(py: Python<'_>, gil_ref: &PyAny, stored: Py<PyAny>) {
    // GIL ref -> Bound, with no refcount change.
    let lent: &Bound<'_, PyAny> = &gil_ref.as_borrowed();
    // Py -> Bound: borrowed for a while, or converted by value.
    let bound_ref: &Bound<'_, PyAny> = stored.bind(py);
    let owned: Bound<'_, PyAny> = stored.clone_ref(py).into_bound(py);
    // Bound -> Py: borrowed back, or converted by value.
    let unbound_ref: &Py<PyAny> = owned.as_unbound();
    let back: Py<PyAny> = owned.unbind();
}
// --8<-- [end:show]
