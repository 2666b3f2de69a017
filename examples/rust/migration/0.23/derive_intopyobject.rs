// @pyo3 0.23.5
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
/// A struct with named fields converts to a Python dict, one key per field; `IntoPyObjectRef`
/// adds the by-reference conversion, which lends the `Py` field instead of giving it away.
#[derive(IntoPyObject, IntoPyObjectRef)]
struct Job {
    attempts: usize,
    callback: Py<PyAny>,
}
// --8<-- [end:show]
