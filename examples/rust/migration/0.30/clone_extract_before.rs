// @pyo3 0.29.3
// @expect deprecated: FromPyObject

use pyo3::prelude::*;

// --8<-- [start:show]
#[pyclass]
#[derive(Clone)]
struct Point {
    x: i64,
}

fn copy_out(obj: &Bound<'_, PyAny>) -> PyResult<Point> {
    Ok(obj.extract::<Point>()?)
}
// --8<-- [end:show]
