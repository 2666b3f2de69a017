//! expect: ok
//! Control: `#[pyclass(from_py_object)]` asks for the by-value extraction explicitly.
use pyo3::prelude::*;

#[pyclass(from_py_object)]
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
