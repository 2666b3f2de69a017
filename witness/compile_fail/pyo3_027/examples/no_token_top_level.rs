//! expect: E0425
//! Outside `attach` there is no `py` token to call `detach` on.
use pyo3::prelude::*;

fn main() {
    py.detach(|| ());
}
