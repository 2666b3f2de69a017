// @pyo3 0.22.6
// @expect pass

use pyo3::prelude::*;
use std::sync::Arc;

// --8<-- [start:show]
struct Job {
    callback: Py<PyAny>,
}

impl Job {
    /// Clone with proof that the GIL is held: the refcount changes immediately.
    fn share(&self, py: Python<'_>) -> Job {
        Job { callback: self.callback.clone_ref(py) }
    }
}

/// Or share one reference between owners in Rust, so cloning never touches Python at all.
#[derive(Clone)]
struct SharedJob {
    callback: Arc<Py<PyAny>>,
}
// --8<-- [end:show]
