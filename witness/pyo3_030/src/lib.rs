//! Witness module `bd_witness_030`: runs bound_demo programs against real PyO3 (see Cargo.toml).
#[path = "../../shared/interp.rs"]
mod interp;
#[path = "../../shared/observe.rs"]
mod observe;
#[path = "../../shared/program.rs"]
mod program;
#[path = "../../shared/rel_bound.rs"]
mod rel;

use pyo3::prelude::*;

/// The exact PyO3 release compiled in (pinned in Cargo.toml; reported as `PYO3_VERSION`).
pub const PYO3_CRATE: &str = "0.30.1";

#[pymodule]
fn bd_witness_030(m: &Bound<'_, PyModule>) -> PyResult<()> {
    rel::init(m)
}
