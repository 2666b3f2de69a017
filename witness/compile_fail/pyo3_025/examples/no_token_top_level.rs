//! expect: E0425
//! Outside `with_gil` there is no `py` token to call `allow_threads` on.
use pyo3::prelude::*;

fn main() {
    py.allow_threads(|| ());
}
