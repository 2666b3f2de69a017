// @pyo3 0.30.1
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
#[pyclass]
#[derive(Clone)]
struct Point {
    x: i64,
}

fn x_of(obj: &Bound<'_, Point>) -> i64 {
    obj.borrow().x
}
// --8<-- [end:show]
