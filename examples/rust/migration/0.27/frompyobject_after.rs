// @pyo3 0.27.2
// @expect pass

use pyo3::conversion::FromPyObjectOwned;
use pyo3::prelude::*;

// --8<-- [start:show]
struct Celsius(f64);

impl<'py> FromPyObject<'_, 'py> for Celsius {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> Result<Self, Self::Error> {
        Ok(Celsius(obj.getattr("celsius")?.extract()?))
    }
}

/// A generic wrapper passes the input lifetime and the error type through.
struct Labelled<T>(T);

impl<'a, 'py, T: FromPyObject<'a, 'py>> FromPyObject<'a, 'py> for Labelled<T> {
    type Error = T::Error;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> Result<Self, Self::Error> {
        obj.extract().map(Labelled)
    }
}

/// A container extracts each item from a temporary it owns, so it asks for FromPyObjectOwned.
struct Readings<T>(Vec<T>);

impl<'py, T: FromPyObjectOwned<'py>> FromPyObject<'_, 'py> for Readings<T> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> Result<Self, Self::Error> {
        let mut out = Vec::new();
        for item in obj.try_iter()? {
            out.push(item?.extract::<T>().map_err(Into::into)?);
        }
        Ok(Readings(out))
    }
}
// --8<-- [end:show]
