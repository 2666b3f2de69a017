// @pyo3 0.23.5
// @expect pass

use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyDict};

// --8<-- [start:show]
fn settings(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let pairs = vec![("retries", 3), ("timeout", 30)];
    pairs.into_py_dict(py)
}
// --8<-- [end:show]
