//! expect: E0277
//! A `Clone` pyclass no longer gets `FromPyObject` by default in 0.30 (#6188).
use pyo3::prelude::*;

#[pyclass]
#[derive(Clone)]
#[allow(dead_code)]
struct Point {
    x: i32,
}

fn main() {
    Python::attach(|py| {
        let obj = Bound::new(py, Point { x: 1 }).unwrap().into_any();
        let _p: Point = obj.extract().unwrap();
    });
}
