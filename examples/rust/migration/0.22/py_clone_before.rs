// @pyo3 0.21.2
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
struct Job {
    callback: Py<PyAny>,
}

impl Job {
    fn share(&self) -> Job {
        // Compiles anywhere; without the GIL the incref is queued in the global reference pool.
        Job { callback: self.callback.clone() }
    }
}
// --8<-- [end:show]
