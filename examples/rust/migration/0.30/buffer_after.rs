// @pyo3 0.30.1
// @expect pass

use pyo3::buffer::PyBuffer;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

// --8<-- [start:show]
fn checksum(obj: &Bound<'_, PyBytes>) -> PyResult<u64> {
    let buffer = PyBuffer::<u8>::get(obj.as_any())?;
    let ptr = buffer.as_slice_ptr().expect("a C-contiguous buffer");
    // SAFETY: `bytes` is immutable, so nothing can write to this memory while we read it,
    // and `buffer` keeps it alive until the end of the function.
    let bytes: &[u8] = unsafe { ptr.as_ref() };
    Ok(bytes.iter().map(|&b| u64::from(b)).sum())
}
// --8<-- [end:show]
