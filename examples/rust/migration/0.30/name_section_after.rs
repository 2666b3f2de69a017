// @pyo3 0.30.1
// @expect pass

use pyo3::prelude::*;
use pyo3::sync::critical_section::with_critical_section;
use pyo3::types::PyList;
use pyo3::PyTypeInfo;

// --8<-- [start:show]
fn describe(list: &Bound<'_, PyList>) -> PyResult<String> {
    // The name Python reports at run time, which is what NAME only approximated.
    let mut out = PyList::type_object(list.py()).name()?.to_string();
    with_critical_section(list.as_any(), || {
        out.push_str(&format!(" of {}", list.len()));
    });
    Ok(out)
}
// --8<-- [end:show]
