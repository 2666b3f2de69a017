//! pyo3 0.21.2 with `gil-refs`: both APIs in one build, so one process compares them directly.
#[path = "../../gil_refs.rs"]
mod gil_refs;
mod bound;

use pyo3::prelude::*;

#[pymodule]
fn bench_pyo3_021(m: &Bound<'_, PyModule>) -> PyResult<()> {
    use bound::*;
    use gil_refs::*;
    m.add_function(wrap_pyfunction!(create_drop_gil_refs, m)?)?;
    m.add_function(wrap_pyfunction!(attr_call_gil_refs, m)?)?;
    m.add_function(wrap_pyfunction!(list_items_gil_refs, m)?)?;
    m.add_function(wrap_pyfunction!(tuple_items_gil_refs, m)?)?;
    m.add_function(wrap_pyfunction!(extract_gil_refs, m)?)?;
    m.add_function(wrap_pyfunction!(py_drop_detached, m)?)?;
    m.add_function(wrap_pyfunction!(py_drop_attached, m)?)?;
    m.add_function(wrap_pyfunction!(create_drop_bound, m)?)?;
    m.add_function(wrap_pyfunction!(attr_call_bound, m)?)?;
    m.add_function(wrap_pyfunction!(list_items_bound, m)?)?;
    m.add_function(wrap_pyfunction!(tuple_items_bound, m)?)?;
    m.add_function(wrap_pyfunction!(tuple_items_borrowed, m)?)?;
    m.add_function(wrap_pyfunction!(extract_bound, m)?)?;
    Ok(())
}
