"""bound_demo: an exact, witnessed model of PyO3's memory machinery, releases 0.20 to 0.29.

Layout (one module per PyO3 concept):

* `versions`        — release profiles: everything that differs between releases
* `gil`             — GIL_COUNT/ATTACH_COUNT, with_gil/attach, allow_threads/detach, trampolines
* `gilpool`         — GILPool, OWNED_OBJECTS, register_owned, new_pool/with_pool
* `reference_pool`  — POOL: pending increfs/decrefs and where they drain
* `instance`        — handles: GIL refs, Bound, Borrowed, &Bound, Py
* `heap`            — Py_INCREF/Py_DECREF and deallocation
* `program`, `builder` — programs (format v1) and a Python builder that reads like the Rust
* `interpreter`     — Rust's scopes, moves, borrows, lifetimes, threads
* `state`, `snapshot`, `pvec`, `trace`, `captions`, `rust` — the trace and its views of state
* `fastforward`     — loops that repeat exactly, recorded as their pattern
* `scenarios`       — the library of named programs, each with its Rust
"""

from __future__ import annotations

from .format import program as _program
from . import scenarios
from .format.builder import Program
from .rules.interpreter import Runner
from .trace import Trace, TraceError
from .versions import RELEASES, profile

__all__ = ["run", "Trace", "TraceError", "Program", "RELEASES", "profile", "show", "scenarios"]


def run(program, pyo3="0.29", features=(), cfg=(), free_threaded=False):
    """Run a program (dict, JSON text, path, or builder `Program`) and return its `Trace`.
    `free_threaded=True` models that release built for a free-threaded CPython (0.23+: 3.13t
    up to 0.28, 3.14t from 0.29; see versions.FREE_THREADED).

    Raises `ValueError` for a malformed program or unknown release/feature/cfg; problems in
    the Rust the program stands for are recorded as `trace.error` instead.
    """
    if isinstance(program, Program):
        program = program.to_dict()
    prof = profile(pyo3, features, cfg, free_threaded)
    prog = _program.parse(program)
    runner = Runner(prog, prof)
    error = runner.run()
    return Trace(prog, prof, runner, error)


def show(program_or_trace, pyo3=None, **kw):
    """Show a program or trace as a step player: live in Jupyter, static HTML otherwise."""
    from .views import show as _show
    return _show(program_or_trace, pyo3=pyo3, **kw)

