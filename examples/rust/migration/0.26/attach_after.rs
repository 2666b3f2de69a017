// @pyo3 0.26.0
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
fn main_loop(work: Vec<u64>) -> PyResult<u64> {
    Python::initialize();
    Python::attach(|py| {
        let total = py.detach(|| work.iter().sum::<u64>());
        let result: Py<PyAny> = total.into_pyobject(py)?.into_any().unbind();
        result.extract(py)
    })
}
// --8<-- [end:show]
