"""The free-threaded witness: programs run on a real free-threaded CPython 3.13 (3.13t).

``scripts/build-free-threaded.sh`` builds CPython 3.13.5 with ``--disable-gil`` and the module
``bd_witness_028_ft`` (PyO3 0.28.3, ``#[pymodule(gil_used = false)]``) into the venv
``.build/ft-venv``, and beside it ``bd_witness_023_ft`` (PyO3 0.23.5, the first release that
builds for a free-threaded Python; ``MODULES``). That interpreter is not the one running bound_demo, so every program runs in
a child process of it (``BOUND_DEMO_FT_PYTHON`` names another interpreter). The child streams
each op before it runs and each probe as it is taken; when the program does not finish within
``timeout`` seconds the child is killed and the run reports the error kind ``hang``, keeping the
probes and naming the op that was running. On a free-threaded build nothing else can stop a
program: there is no GIL to deadlock on, and a thread that waits forever is waiting for a
stop-the-world pause that an attached, blocked thread never lets finish.

A fresh child serves every program that has a ``thread`` op: CPython 3.13t stops the world once
per process, when the first thread other than the main one gets a thread state (it then
immortalizes the objects that use deferred reference counting, Python/pystate.c
``new_threadstate``), and the model assumes, as a program's start, a process where that has
not happened yet. Programs without threads share one child.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..versions import PATCH
from ._child import Child, Served, serve

MODULE = "bd_witness_028_ft"
PYO3 = "0.28"  # the newest PyO3 line that builds for 3.13t
CRATE = PATCH[PYO3]
# Every free-threaded witness build, by release line: 0.28.3 (the default) and 0.23.5, the first
# release that builds for a free-threaded Python. Both modules declare `gil_used = false`.
MODULES = {"0.28": MODULE, "0.23": "bd_witness_023_ft"}

# After importing the module the child says whether the GIL is on ("G 0" or "G 1"), then
# serves programs (see `_child`).
_HELLO = "sys.stdout.write('G ' + str(int(sys._is_gil_enabled())) + '\\n'); sys.stdout.flush()\n"


class FreeThreadedUnavailable(LookupError):
    """The free-threaded interpreter or its witness module is not built here."""


def interpreter() -> Path:
    """The free-threaded venv's python (``BOUND_DEMO_FT_PYTHON`` overrides it)."""
    env = os.environ.get("BOUND_DEMO_FT_PYTHON")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / ".build" / "ft-venv" / "bin" / "python"


class _FreeThreadedChild(Child):
    """A child of the free-threaded interpreter; `gil_enabled` says whether the GIL is on in
    it after the module's import."""

    gil_enabled = False


def _start(module: str) -> _FreeThreadedChild:
    """A new child of the free-threaded interpreter, checked to have imported `module`."""
    py = interpreter()
    if not py.exists():
        raise FreeThreadedUnavailable(
            f"{py} does not exist: run scripts/build-free-threaded.sh to build CPython 3.13t "
            f"and {module}")
    child = _FreeThreadedChild(module, python=str(py), hello=_HELLO)
    first = child.first_line(timeout=60)
    if first is None or not first.startswith("G "):
        child.kill()
        raise FreeThreadedUnavailable(f"{py} cannot import {module}: {' | '.join(e for e in child.err if e)}")
    # Importing a module not declared `gil_used = false` would have turned the GIL on.
    child.gil_enabled = first[2:] == "1"
    return child


_child: _FreeThreadedChild | None = None


def _get_child(module=MODULE) -> _FreeThreadedChild:
    global _child
    if _child is not None and _child.module != module:
        _drop_child()
    if _child is None or not _child.alive():
        _child = _start(module)
    return _child


def _drop_child():
    global _child
    if _child is not None:
        _child.kill()
        _child = None


def gil_enabled(module=MODULE) -> bool:
    """Whether the child interpreter runs with the GIL after importing the witness module."""
    return _get_child(module).gil_enabled


def _has_thread(ops) -> bool:
    return any(op.get("op") == "thread" or _has_thread(op.get("body") or []) for op in ops)


_HANG = ("the program did not finish within {timeout}s on the free-threaded interpreter (a "
         "thread waits for a stop-the-world pause that an attached, blocked thread never lets "
         "finish)")


def _error(served: Served, child: Child, timeout: float) -> dict:
    """The error of a run that stopped before its result: a hang or an abort."""
    if served.how == "timeout":
        return {"kind": "hang", "op_path": served.op_path, "message": _HANG.format(timeout=timeout)}
    err = " | ".join(e for e in child.stderr_lines() if e)[-2000:]
    return {"kind": "abort", "op_path": served.op_path,
            "message": f"process ended with code {served.code}: {err}"}


def run_raw(text: str, py_clone: bool, timeout: float, module=MODULE) -> dict:
    """Run one program in the child of `module`; returns the raw result (probes, error)."""
    program = json.loads(text)
    child = _get_child(module)
    try:
        served = serve(child, program, py_clone, timeout)
        if served.how == "result":
            return served.raw
        _drop_child()
        return {"probes": served.probes, "error": _error(served, child, timeout)}
    finally:
        if _has_thread(program.get("ops", [])):
            # A fresh interpreter for the next program (see the module docstring).
            _drop_child()


TOKEN_BLOCKS = {"gil": True, "attach": True, "with_gil": True, "pyfunction": True,
                "nogil": False, "detach": False, "allow_threads": False, "thread": False}


def with_collections(program: dict, rnd, p: float = 0.15, stray: float = 0.02) -> dict:
    """A copy of `program` with `gc_collect` ops inserted at random places where the code holds
    a `py` token (probability `p` before each op and at the end of each body), and, rarely
    (`stray`), where it does not (a compile error on both sides). `rnd` is a `random.Random`."""

    def body(ops, token):
        out = []
        for op in ops:
            if rnd.random() < (p if token else stray):
                out.append({"op": "gc_collect"})
            op = dict(op)
            if isinstance(op.get("body"), list):
                op["body"] = body(op["body"], TOKEN_BLOCKS.get(op.get("op"), token))
            out.append(op)
        # An op after a body's `return` would be rejected; keep the return last.
        if rnd.random() < (p if token else stray) and not (out and out[-1].get("op") == "return"):
            out.append({"op": "gc_collect"})
        return out

    return dict(program, ops=body(program.get("ops", []), False))


def with_waits(program: dict, rnd) -> dict:
    """A copy of `program` whose top-level `thread` blocks are, at random, joined by an attached
    main thread (wrapped in `gil`), by a main thread that detached around the join (`gil` then
    `nogil`), or left as they are: the situations where the builds differ."""
    out = []
    for op in program.get("ops", []):
        if op.get("op") == "thread" and "as" not in op:
            k = rnd.randrange(3)
            if k == 1:
                op = {"op": "gil", "body": [op]}
            elif k == 2:
                op = {"op": "gil", "body": [{"op": "nogil", "body": [op]}]}
        out.append(op)
    return dict(program, ops=out)


def random_program(seed: int, prof) -> dict:
    """The free-threaded differential tests' random program number `seed`: a valid program of
    the fuzz generator, with waits (`with_waits`) and collections (`with_collections`) added."""
    import random

    from ..format.fuzz import generate
    rnd = random.Random(seed)
    return with_collections(with_waits(generate(rnd.randint, prof), rnd), rnd)
