"""The witness: bound_demo programs run against real, compiled PyO3 releases.

Each supported (pyo3, features, cfg) combination is a separate extension module built from
``witness/`` by ``scripts/build-witness.sh`` (for example ``bd_witness_021`` is PyO3 0.21.2 with
``gil-refs``). ``run`` hands the program to that module, which interprets it with the exact
PyO3 API of the release and records, at every ``probe``, the real refcount and liveness of every
program object. Results mirror the observable part of the model's state (docs/design/state-api.md):
``result.at(label).objects["o1"].refcount``.

API:

- ``run(program, pyo3="0.21", features=("gil-refs",), cfg=(), *, timeout=20.0)`` -> ``WitnessResult``
  (``program``: dict, JSON string or path). Raises ``ValueError`` for a malformed program and
  ``WitnessUnavailable`` (a ``LookupError``) when that build is not installed.
- ``WitnessResult``: ``.probes`` (list of ``(label, WitnessState)`` in execution order),
  ``.at(label)`` (latest probe with that label; ``KeyError`` if none), ``.final`` (last probe or
  None), ``.error`` (None or ``WitnessError(kind, message, op_path)``, kind one of
  ``compile_error``, ``panic``, ``abort``, ``deadlock``, ``exception``), ``.pyo3``,
  ``.features``, ``.cfg``, ``.crate`` (the exact crate version).
- ``WitnessState``: ``.label``, ``.thread``, ``.objects`` (``"o1"`` -> ``WitnessObject`` with
  ``.id``, ``.type``, ``.refcount`` (0 once freed), ``.alive``, ``.shared``, ``.items``),
  ``.to_dict()``. Thread, pool and queue state are not observable (PyO3 keeps them private).
- ``available_builds()`` -> list of ``(pyo3, features, cfg)`` that are installed here.

Programs run in this process (a few thousand per second). Builds compiled with
``--cfg pyo3_disable_reference_pool`` run in a long-lived child process, because there a
``Py<T>`` dropped without the GIL aborts the process, which is reported as
``error.kind == "abort"`` (the child is restarted for the next program).
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

__all__ = [
    "run", "available_builds", "WitnessResult", "WitnessState", "WitnessObject", "WitnessError",
    "WitnessUnavailable", "BUILDS",
]


class WitnessUnavailable(LookupError):
    """The requested (pyo3, features, cfg) combination is not built on this machine."""


@dataclass(frozen=True)
class _Build:
    module: str
    crate: str  # exact crate version compiled in
    features: frozenset  # feature sets this build answers for (each a frozenset)
    py_clone: bool  # Cargo feature py-clone compiled in (0.22+); gated per run
    child: bool  # run in a child process (abort-capable builds)


def _fs(*sets: Iterable[str]) -> frozenset:
    return frozenset(frozenset(s) for s in sets)


# One row per extension module. `features` lists every feature set the module stands for
# exactly: 0.21 `gil-refs` only silences deprecation warnings, so 0.21 without it behaves the
# same; `py-clone` only adds `impl Clone for Py<T>`, so builds compiled with it answer for both
# and refuse `Py::clone` (compile_error) when the program's features lack it.
BUILDS: list[tuple[str, tuple[str, ...], _Build]] = [  # (pyo3, cfg, build)
    ("0.20", (), _Build("bd_witness_020", "0.20.3", _fs(()), False, False)),
    ("0.21", (), _Build("bd_witness_021", "0.21.2", _fs((), ("gil-refs",)), False, False)),
    ("0.22", (), _Build("bd_witness_022_gilrefs", "0.22.6", _fs(("gil-refs",), ("gil-refs", "py-clone")), True, False)),
    ("0.22", (), _Build("bd_witness_022_pyclone", "0.22.6", _fs((), ("py-clone",)), True, False)),
    ("0.22", ("pyo3_disable_reference_pool",),
     _Build("bd_witness_022_nopool", "0.22.6", _fs((), ("py-clone",)), True, True)),
    ("0.23", (), _Build("bd_witness_023", "0.23.5", _fs((), ("py-clone",)), True, False)),
    ("0.26", (), _Build("bd_witness_026", "0.26.0", _fs((), ("py-clone",)), True, False)),
    ("0.29", (), _Build("bd_witness_029", "0.29.3", _fs((), ("py-clone",)), True, False)),
    ("0.29", ("pyo3_disable_reference_pool",),
     _Build("bd_witness_029_nopool", "0.29.3", _fs((), ("py-clone",)), True, True)),
]


def _find(pyo3: str, features: Iterable[str], cfg: Iterable[str]) -> _Build:
    feats = frozenset(features)
    cfgs = tuple(sorted(cfg))
    for ver, bcfg, b in BUILDS:
        if ver == pyo3 and bcfg == cfgs and feats in b.features:
            return b
    raise WitnessUnavailable(f"no witness build for pyo3={pyo3!r} features={sorted(feats)} cfg={list(cfgs)}")


_modules: dict[str, Any] = {}


def _load(b: _Build):
    if b.module not in _modules:
        try:
            _modules[b.module] = importlib.import_module(b.module)
        except ImportError as e:
            raise WitnessUnavailable(f"{b.module} is not built (run scripts/build-witness.sh): {e}") from e
    return _modules[b.module]


def available_builds() -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """Every (pyo3, features, cfg) combination whose module imports here, features sorted."""
    out = []
    for ver, cfg, b in BUILDS:
        try:
            _load(b)
        except WitnessUnavailable:
            continue
        for feats in sorted(b.features, key=lambda s: (len(s), sorted(s))):
            out.append((ver, tuple(sorted(feats)), cfg))
    return out


@dataclass(frozen=True)
class WitnessObject:
    id: str
    type: str
    refcount: int | None  # 0 once freed (the memory is gone); None when `shared`
    alive: bool | None  # None when `shared`
    # CPython hands out one shared empty tuple: its count and lifetime are not the program's,
    # so the witness does not report them (a Simplification the model does not have).
    shared: bool = False
    # For a live list or tuple: the ids of the objects it holds, in order ("?" for an item that
    # is not a live program object, or is the shared empty tuple); empty otherwise.
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class WitnessState:
    label: str
    thread: str  # the program thread the probe ran on
    objects: dict[str, WitnessObject]

    def to_dict(self) -> dict:
        return {"label": self.label, "thread": self.thread,
                "objects": {k: vars(v) for k, v in self.objects.items()}}


@dataclass(frozen=True)
class WitnessError:
    kind: str  # compile_error | panic | abort | deadlock | exception
    message: str
    op_path: str | None = None


@dataclass
class WitnessResult:
    pyo3: str
    features: tuple[str, ...]
    cfg: tuple[str, ...]
    crate: str
    probes: list[tuple[str, WitnessState]] = field(default_factory=list)
    error: WitnessError | None = None

    def at(self, label: str) -> WitnessState:
        """State at the most recent probe with this label (KeyError if none ran)."""
        for name, state in reversed(self.probes):
            if name == label:
                return state
        raise KeyError(label)

    @property
    def final(self) -> WitnessState | None:
        return self.probes[-1][1] if self.probes else None


def _program_text(program: Any) -> str:
    if isinstance(program, dict):
        return json.dumps(program)
    if isinstance(program, (bytes, bytearray)):
        return program.decode()
    if isinstance(program, os.PathLike) or (isinstance(program, str) and program.endswith(".json")
                                            and not program.lstrip().startswith("{")):
        with open(program, encoding="utf-8") as f:
            return f.read()
    if isinstance(program, str):
        return program
    raise TypeError(f"program must be a dict, a JSON string or a path, not {type(program).__name__}")


def _state(p: dict) -> WitnessState:
    objs = {}
    for i, (ty, alive, rc, items) in enumerate(p["objects"]):
        oid = f"o{i + 1}"
        if alive is None:
            objs[oid] = WitnessObject(oid, ty, None, None, True)
        else:
            ids = tuple("?" if k is None else f"o{k + 1}" for k in items)
            objs[oid] = WitnessObject(oid, ty, rc if alive else 0, alive, False, ids)
    return WitnessState(p["label"], p["thread"], objs)


def _fill(res: WitnessResult, raw: dict) -> WitnessResult:
    res.probes = [(p["label"], _state(p)) for p in raw["probes"]]
    e = raw.get("error")
    if e:
        res.error = WitnessError(e["kind"], e["message"], e.get("op_path"))
    return res


# The child process runs programs one per stdin line until one aborts it; then a new child is
# started for the next program. Each program streams "O <op path>" before every op and
# "P <probe>" at every probe, then "R <result>" at the end, so an abort keeps what came before.
_SERVER = (
    "import gc, sys, json, importlib\n"
    "gc.disable()\n"
    "m = importlib.import_module(sys.argv[1])\n"
    "for line in sys.stdin:\n"
    "    req = json.loads(line)\n"
    "    try:\n"
    "        r = m.run(req['program'], True, req['py_clone'])\n"
    "    except ValueError as e:\n"
    "        r = json.dumps({'value_error': str(e)})\n"
    "    sys.stdout.write('R ' + r + '\\n')\n"
    "    sys.stdout.flush()\n"
)


class _Child:
    """One long-lived child process for an abort-capable build."""

    def __init__(self, module: str):
        # BD_WITNESS_DEBUG keeps Rust's panic message, which names why the process aborts.
        env = dict(os.environ, BD_WITNESS_DEBUG="1", RUST_BACKTRACE="0")
        self.proc = subprocess.Popen([sys.executable, "-c", _SERVER, module], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
                                     env=env)
        self.lines: queue.Queue = queue.Queue()
        self.err: list[str] = []
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines.put), daemon=True).start()
        self.err_pump = threading.Thread(target=self._pump, args=(self.proc.stderr, self.err.append), daemon=True)
        self.err_pump.start()

    @staticmethod
    def _pump(stream, sink):
        for line in stream:
            sink(line.rstrip("\n"))
        sink(None)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self):
        self.proc.kill()
        self.proc.wait()


_children: dict[str, _Child] = {}


def _run_child(b: _Build, text: str, py_clone: bool, res: WitnessResult, timeout: float) -> WitnessResult:
    child = _children.get(b.module)
    if child is None or not child.alive():
        child = _children[b.module] = _Child(b.module)
    child.err.clear()
    one_line = json.dumps(json.loads(text))
    child.proc.stdin.write(json.dumps({"program": one_line, "py_clone": py_clone}) + "\n")
    child.proc.stdin.flush()
    probes, ops, deadline = [], [], time.monotonic() + timeout
    while True:
        try:
            line = child.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            child.kill()
            del _children[b.module]
            _fill(res, {"probes": probes})
            res.error = WitnessError("deadlock", f"the program did not finish within {timeout}s",
                                     ops[-1] if ops else None)
            return res
        if line is None:  # the process ended: an abort
            break
        if line.startswith("P "):
            probes.append(json.loads(line[2:]))
        elif line.startswith("O "):
            ops.append(line[2:])
        elif line.startswith("R "):
            raw = json.loads(line[2:])
            if "value_error" in raw:
                raise ValueError(raw["value_error"])
            return _fill(res, raw)
    code = child.proc.wait()
    del _children[b.module]
    child.err_pump.join(timeout=2)  # the last stderr lines name the abort
    _fill(res, {"probes": probes})
    # Keep the panic messages (the line after each "panicked at") and the final abort line.
    err = [ln for ln in child.err if ln is not None]
    why = [err[i + 1].strip() for i, ln in enumerate(err[:-1]) if "panicked at" in ln]
    why += [ln.strip() for ln in err if "abort" in ln.lower() and "panicked at" not in ln]
    res.error = WitnessError("abort", f"process ended with code {code}: " + " | ".join(dict.fromkeys(why)),
                             ops[-1] if ops else None)
    return res


def run(program: Any, pyo3: str = "0.21", features: Iterable[str] = ("gil-refs",), cfg: Iterable[str] = (),
        *, timeout: float = 20.0) -> WitnessResult:
    """Run ``program`` (dict, JSON string or path) against the real PyO3 build for
    (pyo3, features, cfg). Raises ValueError for a malformed program and WitnessUnavailable when
    that build is not installed; problems of the program's Rust are ``result.error``."""
    features = tuple(sorted(features))
    cfg = tuple(sorted(cfg))
    b = _find(pyo3, features, cfg)
    text = _program_text(program)
    res = WitnessResult(pyo3, features, cfg, b.crate)
    py_clone = b.py_clone and "py-clone" in features
    if b.child:
        return _run_child(b, text, py_clone, res, timeout)
    mod = _load(b)
    # CPython's cycle collector would free unreachable cycles (a list holding itself) at
    # arbitrary allocations; PyO3 and the model know only refcounts, so it is paused for a run.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _fill(res, json.loads(mod.run(text, False, py_clone)))
    finally:
        if was_enabled:
            gc.enable()
