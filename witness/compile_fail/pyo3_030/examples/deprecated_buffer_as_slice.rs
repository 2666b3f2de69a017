//! expect: use of deprecated method `pyo3::buffer::PyBuffer::<T>::as_slice`
//! `PyBuffer::as_slice` is deprecated in 0.30 as unsound: Python code may change the memory behind the slice.
#![deny(deprecated)]
use pyo3::buffer::PyBuffer;
use pyo3::prelude::*;

fn main() {
    Python::attach(|py| {
        let bytes = pyo3::types::PyBytes::new(py, b"abc");
        let buffer = PyBuffer::<u8>::get(bytes.as_any()).unwrap();
        let _ = buffer.as_slice(py);
    });
}
