// @pyo3 0.21.2
// @expect error E0277: is not implemented for `Vec<&str>`

use pyo3::prelude::*;

// --8<-- [start:show]
fn words(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
    let words: Vec<&str> = obj.extract()?;
    Ok(words.len())
}
// --8<-- [end:show]
