// @pyo3 0.29.3
// @expect deprecated: NAME
// @expect deprecated: with_critical_section

use pyo3::prelude::*;
use pyo3::types::PyList;
use pyo3::PyTypeInfo;

// --8<-- [start:show]
fn describe(list: &Bound<'_, PyList>) -> String {
    let mut out = String::from(<PyList as PyTypeInfo>::NAME);
    pyo3::sync::with_critical_section(list.as_any(), || {
        out.push_str(&format!(" of {}", list.len()));
    });
    out
}
// --8<-- [end:show]
