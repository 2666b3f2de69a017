// @pyo3 0.26.0
// @expect deprecated: attach
// @expect deprecated: detach
// @expect deprecated: initialize
// @expect deprecated: PyObject

use pyo3::prelude::*;

// --8<-- [start:show]
fn main_loop(work: Vec<u64>) -> PyResult<u64> {
    pyo3::prepare_freethreaded_python();
    Python::with_gil(|py| {
        let total = py.allow_threads(|| work.iter().sum::<u64>());
        let result: PyObject = total.into_pyobject(py)?.into_any().unbind();
        result.extract(py)
    })
}
// --8<-- [end:show]
