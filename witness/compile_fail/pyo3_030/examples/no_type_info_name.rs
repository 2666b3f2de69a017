//! expect: E0576
//! `PyTypeInfo::NAME` (deprecated in 0.28) is removed in 0.30 (#6519): ask the type object for its name.
use pyo3::types::PyList;
use pyo3::PyTypeInfo;

fn main() {
    let _name: &str = <PyList as PyTypeInfo>::NAME;
}
