// @pyo3 0.22.6
// @expect pass

use pyo3::prelude::*;
use std::sync::Arc;

// --8<-- [start:show]
/// Clone the Arc, not the Python reference: no GIL needed, one Python reference shared.
#[derive(Clone)]
struct Settings {
    callback: Arc<Py<PyAny>>,
}

/// Or clone by hand with the GIL, one incref per copy.
struct Handler {
    callback: Py<PyAny>,
}

impl Handler {
    fn clone_ref(&self, py: Python<'_>) -> Handler {
        Handler { callback: self.callback.clone_ref(py) }
    }
}
// --8<-- [end:show]
