// @pyo3 0.21.2
// @expect pass

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

// --8<-- [start:show]
fn class_name_len(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
    // Either keep the owner alive in a local...
    let owner = obj.getattr("__name__")?;
    let name: &str = owner.extract()?;
    Ok(name.len())
}

fn class_name(obj: &Bound<'_, PyAny>) -> PyResult<PyBackedStr> {
    // ...or extract a PyBackedStr, which owns a reference to the Python string it reads from.
    obj.getattr("__name__")?.extract()
}
// --8<-- [end:show]
