// @pyo3 0.21.2
// @expect pass

use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

// --8<-- [start:show]
fn first(list: &Bound<'_, PyList>) -> PyResult<i64> {
    // Bound has no Index impl: an index returns a new owned handle, which `[]` cannot express.
    list.get_item(0)?.extract()
}

fn first_of_pair(pair: &Bound<'_, PyTuple>) -> PyResult<i64> {
    // A tuple cannot change, so it can lend an item without touching its refcount.
    pair.get_borrowed_item(0)?.extract()
}
// --8<-- [end:show]
