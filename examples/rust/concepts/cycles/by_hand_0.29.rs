// @pyo3 0.29.3
// @expect pass

use pyo3::prelude::*;

#[pyclass]
struct Node {
    next: Option<Py<PyAny>>,
}

// --8<-- [start:show]
fn break_by_hand(a: &Bound<'_, Node>) {
    // take() moves the Py out of the field; the refcount does not move until `taken` drops.
    let taken: Option<Py<PyAny>> = a.borrow_mut().next.take();
    drop(taken); // -1 now: with the edge gone, ordinary refcounting frees the pair
}
// --8<-- [end:show]
