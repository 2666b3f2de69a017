// @pyo3 0.23.5
// @expect error E0277: cannot be shared between threads safely

use pyo3::prelude::*;
use std::cell::RefCell;

// --8<-- [start:show]
#[pyclass]
struct Tally {
    seen: RefCell<Vec<u32>>,
}
// --8<-- [end:show]
