// @pyo3 0.30.1
// @expect deprecated: skip_from_py_object

use pyo3::prelude::*;

// --8<-- [start:show]
#[pyclass(skip_from_py_object)]
#[derive(Clone)]
struct Point {
    x: i64,
}

fn x_of(obj: &Bound<'_, Point>) -> i64 {
    obj.borrow().x
}
// --8<-- [end:show]
