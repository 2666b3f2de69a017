// @pyo3 0.21.2
// @expect error E0599: no method named `getattr` found

use pyo3::{Bound, PyAny, PyResult};

// --8<-- [start:show]
fn version<'py>(sys: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    sys.getattr("version")
}
// --8<-- [end:show]
