// @pyo3 0.25.1
// @expect error E0405: cannot find trait `IntoPy`

use pyo3::prelude::*;

// --8<-- [start:show]
struct Handle(Py<PyAny>);

impl IntoPy<PyObject> for Handle {
    fn into_py(self, _py: Python<'_>) -> PyObject {
        self.0
    }
}

impl ToPyObject for Handle {
    fn to_object(&self, py: Python<'_>) -> PyObject {
        self.0.clone_ref(py)
    }
}
// --8<-- [end:show]
