//! Witness module `bd_witness_023_ft`: runs bound_demo programs against real PyO3 0.23.5 on a
//! free-threaded CPython 3.13 (see Cargo.toml). Declared `gil_used = false` (0.23 would
//! otherwise assume the module needs the GIL, and importing it would turn the GIL on). The
//! interpreter is the shared one with the edits of build.rs (the op `gc_collect`, no GIL
//! deadlock rule); the release spelling is rel_bound.rs with 0.23's capabilities.
mod interp {
    include!(concat!(env!("OUT_DIR"), "/interp.rs"));
}
#[path = "../../shared/observe.rs"]
mod observe;
mod program {
    include!(concat!(env!("OUT_DIR"), "/program.rs"));
}
#[path = "../../shared/rel_bound.rs"]
mod rel;

use pyo3::prelude::*;

/// The exact PyO3 release compiled in (pinned in Cargo.toml; reported as `PYO3_VERSION`).
pub const PYO3_CRATE: &str = "0.23.5";

#[pymodule(gil_used = false)]
fn bd_witness_023_ft(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(unchecked_first, m)?)?;
    rel::init(m)
}

/// `list.get_item_unchecked(0)`: that this compiles for cp313t shows 0.23.5 keeps the method on
/// free-threaded builds, although the 0.23.0 changelog says it was left out (#4539).
#[pyfunction]
fn unchecked_first<'py>(list: &Bound<'py, pyo3::types::PyList>) -> PyResult<Bound<'py, PyAny>> {
    use pyo3::types::PyListMethods;
    if list.len() == 0 {
        return Err(pyo3::exceptions::PyIndexError::new_err("empty list"));
    }
    // SAFETY: the list is not empty, and the caller's list is not shared with another thread.
    Ok(unsafe { list.get_item_unchecked(0) })
}
