// @pyo3 0.25.1
// @expect pass

use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::PyType;

// --8<-- [start:show]
static DECIMAL: GILOnceCell<Py<PyType>> = GILOnceCell::new();

fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DECIMAL.import(py, "decimal", "Decimal")
}
// --8<-- [end:show]
