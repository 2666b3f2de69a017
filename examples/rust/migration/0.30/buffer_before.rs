// @pyo3 0.29.3
// @expect pass

use pyo3::buffer::PyBuffer;
use pyo3::prelude::*;

// --8<-- [start:show]
fn checksum(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<u64> {
    let buffer = PyBuffer::<u8>::get(obj)?;
    let cells = buffer.as_slice(py).expect("a C-contiguous buffer");
    Ok(cells.iter().map(|c| u64::from(c.get())).sum())
}
// --8<-- [end:show]
