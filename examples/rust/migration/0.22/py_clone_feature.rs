// @pyo3 0.22.6 +py-clone
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
struct Job {
    callback: Py<PyAny>,
}

impl Job {
    fn share(&self) -> Job {
        // With the `py-clone` feature this compiles again, and panics if the GIL is not held.
        Job { callback: self.callback.clone() }
    }
}
// --8<-- [end:show]
