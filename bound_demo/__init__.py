"""bound_demo: an exact, witnessed model of PyO3's memory machinery, release by release.

`run(program, pyo3=..., features=..., cfg=...)` returns a `Trace`. The package is layered (each
layer imports only from those below; tests/layers checks it with import-linter):

* `cli`, `quiz`, `views`, `witness`, `bench`, `bench_real` - tools over traces
* `scenarios` - the library of named programs, each with its Rust
* `model` - `run()`
* `trace` - the trace: steps, states, series, JSON
* `text` - captions, Rust spellings per release, step tables
* `rules` - Rust's scopes, moves, borrows, lifetimes, threads (the interpreter)
* `concepts` - one module per PyO3 concept: gil, gilpool, reference_pool, instance, heap
* `store` - the state, its delta log, snapshots, fast-forwarded loops
* `format` - programs (format v1), the Python builder, random programs
* `versions` - the release table: everything that differs between releases
"""

from __future__ import annotations

from . import scenarios
from .format.builder import Program
from .model import run
from .trace import Trace, TraceError
from .versions import DEFAULT_RELEASE, RELEASES, profile

__all__ = ["run", "Trace", "TraceError", "Program", "RELEASES", "profile", "show", "scenarios"]


def show(program_or_trace, pyo3=None, **kw):
    """Show a program or trace as a step player: live in Jupyter, static HTML otherwise."""
    from .views import show as _show
    return _show(program_or_trace, pyo3=pyo3, **kw)

