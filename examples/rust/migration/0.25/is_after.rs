// @pyo3 0.25.1
// @expect pass

use pyo3::prelude::*;
use pyo3::types::PyList;

// --8<-- [start:show]
fn same_object(a: &Bound<'_, PyAny>, b: &Bound<'_, PyList>) -> bool {
    // `is` now takes anything that is AsRef<Py<PyAny>>; as_any() names the view unambiguously.
    a.is(b.as_any())
}
// --8<-- [end:show]
