// @pyo3 0.22.6
// @expect pass

use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyDict};

// --8<-- [start:show]
fn settings(py: Python<'_>) -> Bound<'_, PyDict> {
    let pairs = vec![("retries", 3), ("timeout", 30)];
    pairs.into_py_dict_bound(py)
}
// --8<-- [end:show]
