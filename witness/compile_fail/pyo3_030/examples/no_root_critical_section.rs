//! expect: E0425
//! `pyo3::sync::with_critical_section` (deprecated in 0.28) is removed in 0.30: it lives in `sync::critical_section`.
use pyo3::prelude::*;
use pyo3::types::PyList;

fn main() {
    Python::attach(|py| {
        let list = PyList::empty(py);
        pyo3::sync::with_critical_section(list.as_any(), || ());
    });
}
