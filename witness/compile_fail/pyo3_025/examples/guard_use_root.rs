//! expect: E0432: unresolved import `pyo3::PyClassGuard`
//! The crate-root spelling of the import fails the same way before 0.26.
use pyo3::PyClassGuard;

fn main() {
    let _ = std::mem::size_of::<Option<PyClassGuard<'static, ()>>>();
}
