"""The model's entry point: run one program on one release profile and keep its trace.

`bound_demo.run` is this function; it sits above the trace, the Rust rules and the PyO3
concepts, and below the tools (CLI, views, quiz, witness) and the scenario library.
"""

from __future__ import annotations

from .format import program as _program
from .format.builder import Program
from .rules.interpreter import Runner
from .trace import Trace
from .versions import DEFAULT_RELEASE, profile


def run(program, pyo3=DEFAULT_RELEASE, features=(), cfg=(), free_threaded=False):
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
