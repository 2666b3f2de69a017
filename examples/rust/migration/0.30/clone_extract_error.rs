// @pyo3 0.30.1
// @expect error E0277: FromPyObject

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
