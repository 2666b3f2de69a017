// @pyo3 0.23.5
// @expect pass

use pyo3::prelude::*;
use std::cell::RefCell;
use std::sync::Mutex;

// --8<-- [start:show]
#[pyclass]
struct Tally {
    // A Mutex is Sync, so the class may be shared by threads of a free-threaded interpreter.
    seen: Mutex<Vec<u32>>,
}

#[pyclass(unsendable)]
struct LocalTally {
    // Or keep the RefCell and let PyO3 refuse access from any thread but the creating one.
    seen: RefCell<Vec<u32>>,
}
// --8<-- [end:show]
