//! Witness module `bd_witness_023_ft`: runs bound_demo programs against real PyO3 0.23.5 on a
//! free-threaded CPython 3.13 (see Cargo.toml). Declared `gil_used = false` (0.23 would
//! otherwise assume the module needs the GIL, and importing it would turn the GIL on). The
//! interpreter is the shared one with the edits of build.rs (the op `gc_collect`, no GIL
//! deadlock rule); the release spelling is rel_bound.rs with 0.23's capabilities.
mod interp {
    include!(concat!(env!("OUT_DIR"), "/interp.rs"));
}
#[path = "../../shared/observe.rs"]
mod observe;
mod program {
    include!(concat!(env!("OUT_DIR"), "/program.rs"));
}
#[path = "../../shared/rel_bound.rs"]
mod rel;

use pyo3::prelude::*;

/// The exact PyO3 release compiled in (pinned in Cargo.toml; reported as `PYO3_VERSION`).
pub const PYO3_CRATE: &str = "0.23.5";

#[pymodule(gil_used = false)]
fn bd_witness_023_ft(m: &Bound<'_, PyModule>) -> PyResult<()> {
    rel::init(m)
}
