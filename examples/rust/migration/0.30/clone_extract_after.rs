// @pyo3 0.30.1
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
#[pyclass(from_py_object)]
#[derive(Clone)]
struct Point {
    x: i64,
}

fn copy_out(obj: &Bound<'_, PyAny>) -> PyResult<Point> {
    // Still a copy of the Rust value, now because the class asked for it.
    Ok(obj.extract::<Point>()?)
}
// --8<-- [end:show]
