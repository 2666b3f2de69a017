// @pyo3 0.22.6
// @expect error E0599: no method named `clone` found

use pyo3::prelude::*;

// --8<-- [start:show]
struct Job {
    callback: Py<PyAny>,
}

impl Job {
    fn share(&self) -> Job {
        Job { callback: self.callback.clone() }
    }
}
// --8<-- [end:show]
