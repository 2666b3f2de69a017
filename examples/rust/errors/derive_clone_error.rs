// @pyo3 0.22.6
// @expect error E0277: the trait `Clone` is not implemented for `pyo3::Py<pyo3::PyAny>`

use pyo3::prelude::*;

// --8<-- [start:show]
#[derive(Clone)]
struct Settings {
    callback: Py<PyAny>,
}
// --8<-- [end:show]
