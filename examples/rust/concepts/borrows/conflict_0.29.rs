// @pyo3 0.29.3
// @expect pass

use pyo3::prelude::*;

// --8<-- [start:show]
#[pyclass]
struct Counter {
    hits: u32,
}

fn conflict(counter: &Bound<'_, Counter>) {
    let reading = counter.borrow();
    // The compiler accepts this: the borrow flag lives in the object and is checked at run time.
    // Here it panics with "Already borrowed: PyBorrowMutError".
    counter.borrow_mut().hits += 1;
    drop(reading);
}
// --8<-- [end:show]
