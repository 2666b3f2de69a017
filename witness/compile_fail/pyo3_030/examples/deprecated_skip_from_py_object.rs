//! expect: use of deprecated constant `pyo3::impl_::deprecated::SKIP_FROM_PY_OBJECT_DEPRECATED`
//! `skip_from_py_object` is deprecated in 0.30: skipping is now the default, so the option says nothing.
#![deny(deprecated)]
use pyo3::prelude::*;

#[pyclass(skip_from_py_object)]
#[derive(Clone)]
#[allow(dead_code)]
struct Point {
    x: i32,
}

fn main() {}
