// @pyo3 0.28.3
// @expect error E0599: no function or associated item named `with_gil` found

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
