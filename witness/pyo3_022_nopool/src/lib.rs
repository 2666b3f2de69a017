//! Witness module `bd_witness_022_nopool`: runs bound_demo programs against real PyO3 (see Cargo.toml).
#[path = "../../shared/interp.rs"]
mod interp;
#[path = "../../shared/observe.rs"]
mod observe;
#[path = "../../shared/program.rs"]
mod program;
#[path = "../../shared/rel_021_022.rs"]
mod rel;

use pyo3::prelude::*;

#[pymodule]
fn bd_witness_022_nopool(m: &Bound<'_, PyModule>) -> PyResult<()> {
    rel::init(m)
}
