// @pyo3 0.23.5
// @expect pass

use pyo3::prelude::*;
use std::convert::Infallible;

// --8<-- [start:show]
struct Handle(Py<PyAny>);

/// By value: hand over the reference the Py already owns (no refcount change).
impl<'py> IntoPyObject<'py> for Handle {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = Infallible;

    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        Ok(self.0.into_bound(py))
    }
}

/// By reference: lend it as a Borrowed, again with no refcount change.
impl<'a, 'py> IntoPyObject<'py> for &'a Handle {
    type Target = PyAny;
    type Output = Borrowed<'a, 'py, PyAny>;
    type Error = Infallible;

    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        Ok(self.0.bind_borrowed(py))
    }
}
// --8<-- [end:show]
