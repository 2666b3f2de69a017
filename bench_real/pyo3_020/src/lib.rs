//! pyo3 0.20.3: the GIL-ref API before `Bound` existed; the baseline the published claims used.
#[path = "../../gil_refs.rs"]
mod gil_refs;

use pyo3::prelude::*;

#[pymodule]
fn bench_pyo3_020(_py: Python<'_>, m: &PyModule) -> PyResult<()> {
    use gil_refs::*;
    m.add_function(wrap_pyfunction!(create_drop_gil_refs, m)?)?;
    m.add_function(wrap_pyfunction!(attr_call_gil_refs, m)?)?;
    m.add_function(wrap_pyfunction!(list_items_gil_refs, m)?)?;
    m.add_function(wrap_pyfunction!(tuple_items_gil_refs, m)?)?;
    m.add_function(wrap_pyfunction!(extract_gil_refs, m)?)?;
    m.add_function(wrap_pyfunction!(py_drop_detached, m)?)?;
    m.add_function(wrap_pyfunction!(py_drop_attached, m)?)?;
    Ok(())
}
