// @pyo3 0.21.2
// @expect pass

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

// --8<-- [start:show]
fn words(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
    // Each PyBackedStr keeps its Python string alive, so the text can be borrowed safely.
    let words: Vec<PyBackedStr> = obj.extract()?;
    // Or copy the text out: Vec<String>.
    let copies: Vec<String> = obj.extract()?;
    Ok(words.len() + copies.len())
}
// --8<-- [end:show]
