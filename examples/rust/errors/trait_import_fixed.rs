// @pyo3 0.21.2
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
fn version<'py>(sys: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    // getattr is a method of the PyAnyMethods trait, which the prelude brings into scope.
    sys.getattr("version")
}
// --8<-- [end:show]
