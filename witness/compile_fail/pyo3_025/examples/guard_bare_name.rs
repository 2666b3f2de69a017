//! expect: E0425: cannot find type `PyClassGuard` in this scope
//! The model's Rust line for `guard` before 0.26, `a.extract::<PyClassGuard<'_, T>>()`: the
//! type does not exist yet, so rustc cannot resolve the bare name.
use pyo3::prelude::*;

#[pyclass]
struct Node {}

fn main() {
    Python::with_gil(|py| -> PyResult<()> {
        let a = Bound::new(py, Node {})?.into_any();
        let _g = a.extract::<PyClassGuard<'_, Node>>()?;
        Ok(())
    })
    .unwrap();
}
