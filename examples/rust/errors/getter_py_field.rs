// @pyo3 0.22.6
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
#[pyclass]
struct Task {
    // A Py<T> field can still have a generated getter without `py-clone`:
    // PyO3 clones it with the GIL held (clone_ref) behind the scenes.
    #[pyo3(get)]
    callback: Py<PyAny>,
}
// --8<-- [end:show]
