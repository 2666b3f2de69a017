//! pyo3 0.30.1: the same workloads as pyo3 0.29.3, ../attach_api.rs (no API they use changed
//! in 0.30), so the two builds differ only in PyO3 — above all in its reference pool, which
//! 0.30 made a plain static with a dirty flag (PyO3 #6200).

include!("../../attach_api.rs");

#[pymodule]
fn bench_pyo3_030(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(create_drop_bound, m)?)?;
    m.add_function(wrap_pyfunction!(attr_call_bound, m)?)?;
    m.add_function(wrap_pyfunction!(list_items_bound, m)?)?;
    m.add_function(wrap_pyfunction!(tuple_items_bound, m)?)?;
    m.add_function(wrap_pyfunction!(tuple_items_borrowed, m)?)?;
    m.add_function(wrap_pyfunction!(extract_bound, m)?)?;
    m.add_function(wrap_pyfunction!(py_drop_detached, m)?)?;
    m.add_function(wrap_pyfunction!(py_drop_attached, m)?)?;
    m.add_function(wrap_pyfunction!(attach_nested_empty, m)?)?;
    m.add_function(wrap_pyfunction!(detach_roundtrip_empty, m)?)?;
    Ok(())
}
