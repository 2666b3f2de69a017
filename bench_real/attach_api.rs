// The Bound workloads spelled with today's API (no GIL refs, no GILPool; `attach`/`detach`),
// compiled unchanged against pyo3 0.29.3 (pyo3_029) and 0.30.1 (pyo3_030): no API they use
// changed in 0.30, so the two builds differ only in PyO3 itself. Included by each crate's
// lib.rs, which adds its #[pymodule].

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};
use std::hint::black_box;

#[pyfunction]
fn create_drop_bound(py: Python<'_>, n: usize) -> usize {
    let mut acc = 0usize;
    for _ in 0..n {
        let s = PyString::new(py, "Hello World!");
        acc = acc.wrapping_add(black_box(&s).as_ptr() as usize);
    }
    acc
}

#[pyfunction]
fn attr_call_bound(py: Python<'_>, obj: &Bound<'_, PyAny>, n: usize) -> PyResult<usize> {
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
fn list_items_bound(list: &Bound<'_, PyList>, n: usize) -> PyResult<usize> {
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

#[pyfunction]
fn tuple_items_bound(tuple: &Bound<'_, PyTuple>, n: usize) -> PyResult<usize> {
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

#[pyfunction]
fn tuple_items_borrowed(tuple: &Bound<'_, PyTuple>, n: usize) -> PyResult<usize> {
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
fn extract_bound(
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

fn handles(py: Python<'_>, n: usize) -> Vec<Py<PyAny>> {
    let obj = PyString::new(py, "shared").into_any().unbind();
    (0..n).map(|_| obj.clone_ref(py)).collect()
}

/// Still queued in 0.29 and 0.30: `Py::drop` takes the cold path into the reference pool when detached,
/// and the queue is drained when `detach` re-attaches.
#[pyfunction]
fn py_drop_detached(py: Python<'_>, n: usize) -> usize {
    let v = handles(py, n);
    py.detach(move || drop(black_box(v)));
    n
}

#[pyfunction]
fn py_drop_attached(py: Python<'_>, n: usize) -> usize {
    let v = handles(py, n);
    drop(black_box(v));
    py.detach(|| ());
    n
}

/// `n` nested `Python::attach` calls on an attached thread with nothing queued: each one is an
/// `Assumed` guard, so all it does is count up, look at the reference pool, and count down. The
/// look is what PyO3 #6200 changed: 0.29 locks the pool's mutex, 0.30 reads a dirty flag.
#[pyfunction]
fn attach_nested_empty(n: usize) -> usize {
    let mut acc = 0usize;
    for i in 0..n {
        acc = acc.wrapping_add(Python::attach(|_py| black_box(i)));
    }
    acc
}

/// `n` detach/re-attach round trips with nothing queued: the GIL is released and re-taken each
/// time (`PyEval_SaveThread`/`RestoreThread`), then the reference pool is looked at, as above.
#[pyfunction]
fn detach_roundtrip_empty(py: Python<'_>, n: usize) -> usize {
    let mut acc = 0usize;
    for i in 0..n {
        acc = acc.wrapping_add(py.detach(|| black_box(i)));
    }
    acc
}
