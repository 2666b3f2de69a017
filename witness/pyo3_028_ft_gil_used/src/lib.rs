//! Witness module `bd_ft_gil_used`: what a free-threaded build changes around a module (see
//! Cargo.toml). Declared `gil_used = true` on purpose: that is what 0.23–0.27 assumed for a
//! module that said nothing, and CPython answers it by enabling the GIL at import.
use std::sync::Barrier;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::PyList;

#[pymodule(gil_used = true)]
fn bd_ft_gil_used(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(unchecked_first, m)?)?;
    m.add_function(wrap_pyfunction!(borrow_mut_in_two_threads, m)?)?;
    m.add_class::<Counter>()
}

/// `list.get_item_unchecked(0)`. That this compiles for cp313t is the finding: the method is
/// not left out of free-threaded builds (its safety contract asks for exclusive access there).
#[pyfunction]
fn unchecked_first<'py>(list: &Bound<'py, PyList>) -> PyResult<Bound<'py, PyAny>> {
    if list.len() == 0 {
        return Err(pyo3::exceptions::PyIndexError::new_err("empty list"));
    }
    // SAFETY: the list is not empty, and the caller's list is not shared with another thread.
    Ok(unsafe { list.get_item_unchecked(0) })
}

/// A mutable pyclass: `RefCell`-like borrow checking at run time, on every build.
#[pyclass]
struct Counter {
    n: u64,
}

#[pymethods]
impl Counter {
    #[new]
    fn new() -> Self {
        Counter { n: 0 }
    }
}

/// Two OS threads, both attached, each `try_borrow_mut` the same `Counter` and hold the borrow
/// until both have tried (a barrier). Without a GIL nothing serialises them, so one of them
/// gets `PyBorrowMutError`. Returns the two outcomes ("ok" or the error's text), in thread
/// order. With the GIL enabled, the second thread cannot attach while the first holds it, so
/// the caller passes `hold_ms` instead of relying on the barrier there.
#[pyfunction]
fn borrow_mut_in_two_threads(py: Python<'_>, counter: Py<Counter>, hold_ms: u64) -> Vec<String> {
    let barrier = Barrier::new(2);
    let gil = !cfg!(Py_GIL_DISABLED) || gil_enabled(py);
    py.detach(|| {
        std::thread::scope(|s| {
            let run = || {
                Python::attach(|py| {
                    let c = counter.bind(py);
                    let outcome = match c.try_borrow_mut() {
                        Ok(mut r) => {
                            r.n += 1;
                            wait(py, gil, &barrier, hold_ms);
                            "ok".to_string()
                        }
                        Err(e) => {
                            wait(py, gil, &barrier, 0);
                            e.to_string()
                        }
                    };
                    outcome
                })
            };
            let a = s.spawn(run);
            let b = s.spawn(run);
            vec![a.join().unwrap(), b.join().unwrap()]
        })
    })
}

fn gil_enabled(py: Python<'_>) -> bool {
    py.import("sys")
        .and_then(|s| s.call_method0("_is_gil_enabled"))
        .and_then(|v| v.extract::<bool>())
        .unwrap_or(true)
}

/// Both threads meet at the barrier while attached: only possible when attaching excludes no
/// one. With the GIL, waiting there would deadlock (the other thread cannot attach), so the
/// borrower sleeps holding the GIL instead: the other thread's attach waits until it is done.
fn wait(_py: Python<'_>, gil: bool, barrier: &Barrier, hold_ms: u64) {
    if gil {
        std::thread::sleep(Duration::from_millis(hold_ms));
    } else {
        barrier.wait();
    }
}
