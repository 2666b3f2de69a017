//! The Bound half of every workload on pyo3 0.21.2 (`*_bound` constructors, `with_gil` era).
//! Each function does the same Python work as its twin in `gil_refs.rs`; only the handle differs.
//! ../../attach_api.rs is the same code spelled for today's names.

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};
use std::hint::black_box;

/// Each string is released at the end of its iteration: memory stays flat whatever `n` is.
#[pyfunction]
pub fn create_drop_bound(py: Python<'_>, n: usize) -> usize {
    let mut acc = 0usize;
    for _ in 0..n {
        let s = PyString::new_bound(py, "Hello World!");
        acc = acc.wrapping_add(black_box(&s).as_ptr() as usize);
    }
    acc
}

#[pyfunction]
pub fn attr_call_bound(py: Python<'_>, obj: &Bound<'_, PyAny>, n: usize) -> PyResult<usize> {
    let (real, conjugate) = (intern!(py, "real"), intern!(py, "conjugate"));
    let mut acc = 0usize;
    for _ in 0..n {
        let r = obj.getattr(real)?;
        let c = obj.call_method0(conjugate)?;
        acc = acc.wrapping_add(black_box(&r).as_ptr() as usize ^ black_box(&c).as_ptr() as usize);
    }
    Ok(acc)
}

#[pyfunction]
pub fn list_items_bound(list: &Bound<'_, PyList>, n: usize) -> PyResult<usize> {
    let len = list.len();
    let mut acc = 0usize;
    for i in 0..n {
        acc = acc.wrapping_add(list.get_item(i % len)?.as_ptr() as usize);
    }
    let mut left = n;
    while left > 0 {
        for item in list.iter().take(left) {
            acc = acc.wrapping_add(black_box(&item).as_ptr() as usize);
        }
        left -= left.min(len);
    }
    Ok(acc)
}

/// Owned `Bound` items: an incref and a decref per item.
#[pyfunction]
pub fn tuple_items_bound(tuple: &Bound<'_, PyTuple>, n: usize) -> PyResult<usize> {
    let len = tuple.len();
    let mut acc = 0usize;
    for i in 0..n {
        acc = acc.wrapping_add(tuple.get_item(i % len)?.as_ptr() as usize);
    }
    let mut left = n;
    while left > 0 {
        for item in tuple.iter().take(left) {
            acc = acc.wrapping_add(black_box(&item).as_ptr() as usize);
        }
        left -= left.min(len);
    }
    Ok(acc)
}

/// `Borrowed` items: a tuple cannot change, so no refcount traffic at all.
#[pyfunction]
pub fn tuple_items_borrowed(tuple: &Bound<'_, PyTuple>, n: usize) -> PyResult<usize> {
    let len = tuple.len();
    let mut acc = 0usize;
    for i in 0..n {
        acc = acc.wrapping_add(tuple.get_borrowed_item(i % len)?.as_ptr() as usize);
    }
    let mut left = n;
    while left > 0 {
        for item in tuple.iter_borrowed().take(left) {
            acc = acc.wrapping_add(black_box(item).as_ptr() as usize);
        }
        left -= left.min(len);
    }
    Ok(acc)
}

#[pyfunction]
pub fn extract_bound(
    ints: &Bound<'_, PyList>,
    floats: &Bound<'_, PyList>,
    strs: &Bound<'_, PyList>,
    n: usize,
) -> PyResult<f64> {
    let len = ints.len();
    let mut acc = 0.0;
    let mut left = n;
    while left > 0 {
        let rows = ints.iter().zip(floats.iter()).zip(strs.iter()).take(left);
        for ((a, b), c) in rows {
            let a: i64 = a.extract()?;
            let b: f64 = b.extract()?;
            let c: String = c.extract()?;
            acc += a as f64 + b + c.len() as f64;
        }
        left -= left.min(len);
    }
    Ok(acc)
}
