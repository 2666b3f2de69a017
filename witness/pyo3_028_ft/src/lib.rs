//! Witness module `bd_witness_028_ft`: runs bound_demo programs against real PyO3 0.28.3 on a
//! free-threaded CPython 3.13 (see Cargo.toml). The module is declared `gil_used = false`, so
//! importing it leaves the GIL disabled. The interpreter is the shared one with the edits of
//! build.rs (the op `gc_collect`, no GIL deadlock rule); the release spelling is 0.23–0.29's.
mod interp {
    include!(concat!(env!("OUT_DIR"), "/interp.rs"));
}
#[path = "../../shared/observe.rs"]
mod observe;
mod program {
    include!(concat!(env!("OUT_DIR"), "/program.rs"));
}
#[path = "../../shared/rel_023_029.rs"]
mod rel;

use pyo3::prelude::*;

/// The exact PyO3 release compiled in (pinned in Cargo.toml; reported as `PYO3_VERSION`).
pub const PYO3_CRATE: &str = "0.28.3";

#[pymodule(gil_used = false)]
fn bd_witness_028_ft(m: &Bound<'_, PyModule>) -> PyResult<()> {
    rel::init(m)
}
