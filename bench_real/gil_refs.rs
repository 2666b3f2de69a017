//! The GIL-ref half of every workload.
//!
//! This one file is compiled twice: against pyo3 0.20.3, where `&'py PyAny` was the only API, and
//! against 0.21.2 with the `gil-refs` feature, where the same calls are a deprecated layer over
//! `Bound`. Keeping a single source means the two builds differ only in PyO3, never in our code.
//!
//! Every function returns a value built from what it touched, so the optimiser cannot drop the work.
#![allow(deprecated)] // 0.21 marks all of this deprecated; measuring it is the point.

use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};
use std::hint::black_box;

// Containers and the object under test come in as arguments, built once by the harness: building
// them here would put the same setup cost into both halves and dilute the difference.

/// #1056's loop: each new string is registered in the call's GILPool and only released when this
/// `#[pyfunction]` returns, so memory grows with `n`.
#[pyfunction]
pub fn create_drop_gil_refs(py: Python<'_>, n: usize) -> usize {
    let mut acc = 0usize;
    for _ in 0..n {
        let s: &PyString = PyString::new(py, "Hello World!");
        acc = acc.wrapping_add(black_box(s).as_ptr() as usize);
    }
    acc
}

/// One attribute read and one method call per iteration; both results land in the pool.
#[pyfunction]
pub fn attr_call_gil_refs(py: Python<'_>, obj: &PyAny, n: usize) -> PyResult<usize> {
    // Interned once, outside the loop, so the loop measures object traffic, not name creation.
    let real = PyString::intern(py, "real");
    let conjugate = PyString::intern(py, "conjugate");
    let mut acc = 0usize;
    for _ in 0..n {
        let r: &PyAny = obj.getattr(real)?;
        let c: &PyAny = obj.call_method0(conjugate)?;
        acc = acc.wrapping_add(black_box(r).as_ptr() as usize ^ black_box(c).as_ptr() as usize);
    }
    Ok(acc)
}

/// Index access then iterator access over a list: every item is an owned reference for the pool.
#[pyfunction]
pub fn list_items_gil_refs(list: &PyList, n: usize) -> PyResult<usize> {
    let len = list.len();
    let mut acc = 0usize;
    for i in 0..n {
        acc = acc.wrapping_add(list.get_item(i % len)?.as_ptr() as usize);
    }
    let mut left = n;
    while left > 0 {
        for item in list.iter().take(left) {
            acc = acc.wrapping_add(black_box(item).as_ptr() as usize);
        }
        left -= left.min(len);
    }
    Ok(acc)
}

/// The same traffic over a tuple.
#[pyfunction]
pub fn tuple_items_gil_refs(tuple: &PyTuple, n: usize) -> PyResult<usize> {
    let len = tuple.len();
    let mut acc = 0usize;
    for i in 0..n {
        acc = acc.wrapping_add(tuple.get_item(i % len)?.as_ptr() as usize);
    }
    let mut left = n;
    while left > 0 {
        for item in tuple.iter().take(left) {
            acc = acc.wrapping_add(black_box(item).as_ptr() as usize);
        }
        left -= left.min(len);
    }
    Ok(acc)
}

/// Iterate three equal-length lists (int, float, str) and extract an i64, an f64 and a String from each position.
#[pyfunction]
pub fn extract_gil_refs(ints: &PyList, floats: &PyList, strs: &PyList, n: usize) -> PyResult<f64> {
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

// --- Py<T> and the reference pool: the same API in 0.20 and 0.21, so it lives here too. ---

/// `n` extra strong references to one object, so the loop measures refcount traffic only.
fn handles(py: Python<'_>, n: usize) -> Vec<PyObject> {
    let obj: PyObject = PyString::new(py, "shared").into();
    (0..n).map(|_| obj.clone_ref(py)).collect()
}

/// Dropped without the GIL: every decref is queued in the global mutex-guarded pool and applied
/// when `allow_threads` re-acquires the GIL.
#[pyfunction]
pub fn py_drop_detached(py: Python<'_>, n: usize) -> usize {
    let v = handles(py, n);
    py.allow_threads(move || drop(black_box(v)));
    n
}

/// Dropped with the GIL held: each decref happens at once. `allow_threads` is still entered so
/// both halves pay the same GIL release/re-acquire.
#[pyfunction]
pub fn py_drop_attached(py: Python<'_>, n: usize) -> usize {
    let v = handles(py, n);
    drop(black_box(v));
    py.allow_threads(|| ());
    n
}
