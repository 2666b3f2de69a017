// @pyo3 0.29.3
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
#[pyclass]
struct Node {
    next: Option<Py<PyAny>>,
}

fn leak(py: Python<'_>) -> PyResult<()> {
    let a = Bound::new(py, Node { next: None })?;
    let b = Bound::new(py, Node { next: None })?;
    a.borrow_mut().next = Some(b.clone().into_any().unbind()); // b: +1
    b.borrow_mut().next = Some(a.clone().into_any().unbind()); // a: +1
    // Dropping both names leaves each node at refcount 1, held by the other. Node has no
    // __traverse__, so the collector cannot see the fields: gc.collect() finds nothing.
    Ok(())
}
// --8<-- [end:show]
