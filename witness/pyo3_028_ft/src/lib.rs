//! Witness module `bd_witness_028_ft`: runs bound_demo programs against real PyO3 0.28.3 on a
//! free-threaded CPython 3.13 (see Cargo.toml). The module is declared `gil_used = false`, so
//! importing it leaves the GIL disabled. The interpreter is the shared one with the edits of
//! build.rs (the op `gc_collect`, no GIL deadlock rule); the release spelling is rel_bound.rs with 0.28's capabilities.
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
pub const PYO3_CRATE: &str = "0.28.3";

#[pymodule(gil_used = false)]
fn bd_witness_028_ft(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(bench_bound, m)?)?;
    rel::init(m)
}

/// `bench_bound(threads, iters)`: seconds for `threads` OS threads, each attached, to run
/// `iters` iterations of a small Bound workload (a new list, an append, the drop), started
/// together with the caller detached. For the 1-vs-2-thread throughput on the Real numbers
/// page; the same crate built for a GIL-enabled Python gives the GIL build's figure.
#[pyfunction]
fn bench_bound(py: Python<'_>, threads: usize, iters: usize) -> f64 {
    use pyo3::types::{PyList, PyListMethods};
    py.detach(|| {
        let start = std::time::Instant::now();
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    Python::attach(|py| {
                        for _ in 0..iters {
                            let list = PyList::empty(py);
                            list.append(&list).ok();
                            list.del_item(0).ok();
                            drop(list);
                        }
                    })
                });
            }
        });
        start.elapsed().as_secs_f64()
    })
}
