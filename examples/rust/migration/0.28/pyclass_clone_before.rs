// @pyo3 0.27.2
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
#[pyclass]
#[derive(Clone)]
struct Point {
    x: i64,
}

fn copy_out(obj: &Bound<'_, PyAny>) -> PyResult<Point> {
    // `?` converts the extraction error into a PyErr.
    Ok(obj.extract::<Point>()?)
}
// --8<-- [end:show]
