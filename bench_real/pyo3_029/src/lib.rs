//! pyo3 0.29.3: today's API (no GIL refs, no GILPool; `attach`/`detach` instead of
//! `with_gil`/`allow_threads`). The same workloads as ../pyo3_021/src/bound.rs, spelled for 0.29,
//! so a reader can see what five more releases did to the same Bound code.

include!("../../attach_api.rs");

#[pymodule]
fn bench_pyo3_029(m: &Bound<'_, PyModule>) -> PyResult<()> {
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
