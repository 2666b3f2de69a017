//! expect: E0432: unresolved import `pyo3::pyclass::PyClassGuard`
//! Importing the guard before 0.26 fails at the `use`, with another code than the bare name.
use pyo3::pyclass::PyClassGuard;

fn main() {
    let _ = std::mem::size_of::<Option<PyClassGuard<'static, ()>>>();
}
