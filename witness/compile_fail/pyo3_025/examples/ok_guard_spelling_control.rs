//! expect: ok
//! The same program with `PyRef`, which 0.25 has: only the guard's name makes the others fail.
use pyo3::prelude::*;

#[pyclass]
struct Node {}

fn main() {
    Python::with_gil(|py| -> PyResult<()> {
        let a = Bound::new(py, Node {})?.into_any();
        let _g = a.extract::<PyRef<'_, Node>>()?;
        Ok(())
    })
    .unwrap();
}
