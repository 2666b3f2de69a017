//! Witness module `bd_witness_020`: runs bound_demo programs against real PyO3 0.20.3.
#[path = "../../shared/interp.rs"]
mod interp;
#[path = "../../shared/observe.rs"]
mod observe;
#[path = "../../shared/program.rs"]
mod program;
mod rel;

use pyo3::prelude::*;

#[pymodule]
fn bd_witness_020(_py: Python<'_>, m: &PyModule) -> PyResult<()> {
    rel::init(m)
}
