"""The witness: bound_demo programs run against real, compiled PyO3 releases.

Each supported (pyo3, features, cfg) combination is a separate extension module built from
``witness/`` by ``scripts/build-witness.sh`` (for example ``bd_witness_021`` is PyO3 0.21.2 with
``gil-refs``). ``run`` hands the program to that module, which interprets it with the exact
PyO3 API of the release and records, at every ``probe``, the real refcount and liveness of every
program object. Results mirror the observable part of the model's state (docs/design/state-api.md):
``result.at(label).objects["o1"].refcount``.

API:

- ``run(program, pyo3=DEFAULT_RELEASE, features=(), cfg=(), *, timeout=20.0)`` -> ``WitnessResult``
  (``program``: dict, JSON string or path). Raises ``ValueError`` for a malformed program and
  ``WitnessUnavailable`` (a ``LookupError``) when that build is not installed.
- ``WitnessResult``: ``.probes`` (list of ``(label, WitnessState)`` in execution order),
  ``.at(label)`` (latest probe with that label; ``KeyError`` if none), ``.final`` (last probe or
  None), ``.error`` (None or ``WitnessError(kind, message, op_path)``, kind one of
  ``compile_error``, ``panic``, ``abort``, ``deadlock``, ``exception``; ``hang`` on the free-threaded
  build), ``.pyo3``,
  ``.features``, ``.cfg``, ``.crate`` (the exact crate version).
- ``WitnessState``: ``.label``, ``.thread``, ``.holds_gil`` (CPython's view for the probing
  thread), ``.objects`` (``"o1"`` -> ``WitnessObject`` with
  ``.id``, ``.type``, ``.refcount`` (0 once freed), ``.alive``, ``.shared``, ``.items``),
  ``.to_dict()``. Thread, pool and queue state are not observable (PyO3 keeps them private).
- ``available_builds()`` -> list of ``(pyo3, features, cfg)`` that are installed here.
- ``run(..., free_threaded=True)``: the program runs on a free-threaded CPython 3.13 (PyO3
  0.28.3, module ``bd_witness_028_ft``, or 0.23.5, ``bd_witness_023_ft``; see ``ft.py``) in a
  child process; a program that does not finish within ``timeout`` is reported as
  ``error.kind == "hang"``. Only ``pyo3="0.28"`` and ``"0.23"`` without cfgs are built for it;
  ``ft_available()`` says whether the 0.28.3 one is built here.

Programs run in this process (a few thousand per second). Builds compiled with
``--cfg pyo3_disable_reference_pool`` alone run in a long-lived child process, because there a
``Py<T>`` dropped without the GIL aborts the process, which is reported as
``error.kind == "abort"`` (the child is restarted for the next program). With
``--cfg pyo3_leak_on_drop_without_reference_pool`` added, such a drop leaks the object instead,
so that build runs in this process (0.22–0.29); in 0.30.1 it never returns, so the 0.30 build
with both cfgs runs in a child too, and a program that does not finish is reported as
``error.kind == "deadlock"`` with the message "did not finish".
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import json
import os
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..versions import DEFAULT_RELEASE, PATCH

__all__ = [
    "run", "available_builds", "WitnessResult", "WitnessState", "WitnessObject", "WitnessError",
    "WitnessUnavailable", "BUILDS", "ft_available",
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
    ("0.20", (), _Build("bd_witness_020", PATCH["0.20"], _fs(()), False, False)),
    ("0.21", (), _Build("bd_witness_021", PATCH["0.21"], _fs((), ("gil-refs",)), False, False)),
    ("0.22", (), _Build("bd_witness_022_gilrefs", PATCH["0.22"], _fs(("gil-refs",), ("gil-refs", "py-clone")), True, False)),
    ("0.22", (), _Build("bd_witness_022_pyclone", PATCH["0.22"], _fs((), ("py-clone",)), True, False)),
    ("0.22", ("pyo3_disable_reference_pool",),
     _Build("bd_witness_022_nopool", PATCH["0.22"], _fs((), ("py-clone",)), True, True)),
    ("0.23", (), _Build("bd_witness_023", PATCH["0.23"], _fs((), ("py-clone",)), True, False)),
    ("0.24", (), _Build("bd_witness_024", PATCH["0.24"], _fs((), ("py-clone",)), True, False)),
    ("0.25", (), _Build("bd_witness_025", PATCH["0.25"], _fs((), ("py-clone",)), True, False)),
    ("0.26", (), _Build("bd_witness_026", PATCH["0.26"], _fs((), ("py-clone",)), True, False)),
    ("0.27", (), _Build("bd_witness_027", PATCH["0.27"], _fs((), ("py-clone",)), True, False)),
    ("0.28", (), _Build("bd_witness_028", PATCH["0.28"], _fs((), ("py-clone",)), True, False)),
    ("0.29", (), _Build("bd_witness_029", PATCH["0.29"], _fs((), ("py-clone",)), True, False)),
    ("0.29", ("pyo3_disable_reference_pool",),
     _Build("bd_witness_029_nopool", PATCH["0.29"], _fs((), ("py-clone",)), True, True)),
    # With the leak cfg a `Py` dropped without the GIL is leaked, never an abort: no child needed.
    ("0.29", ("pyo3_disable_reference_pool", "pyo3_leak_on_drop_without_reference_pool"),
     _Build("bd_witness_029_leak", PATCH["0.29"], _fs((), ("py-clone",)), True, False)),
    ("0.30", (), _Build("bd_witness_030", PATCH["0.30"], _fs((), ("py-clone",)), True, False)),
    ("0.30", ("pyo3_disable_reference_pool",),
     _Build("bd_witness_030_nopool", PATCH["0.30"], _fs((), ("py-clone",)), True, True)),
    # 0.30.1 with both cfgs: such a drop never returns (witness/README.md), so a child it is.
    ("0.30", ("pyo3_disable_reference_pool", "pyo3_leak_on_drop_without_reference_pool"),
     _Build("bd_witness_030_leak", PATCH["0.30"], _fs((), ("py-clone",)), True, True)),
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
    # For a live #[pyclass] object (issue 13), else None. `fields`, for a declared class only:
    # each field's object id (None when empty, "?" when it holds an object that is not the
    # program's), in declaration order. `gc_tracked`: whether its type has Py_TPFLAGS_HAVE_GC.
    # `borrow`: the borrows real PyO3 granted that are still held (a count, or "exclusive").
    fields: dict[str, str | None] | None = None
    gc_tracked: bool | None = None
    borrow: int | str | None = None


@dataclass(frozen=True)
class WitnessState:
    label: str
    thread: str  # the program thread the probe ran on
    objects: dict[str, WitnessObject]
    # Whether CPython says the probing thread holds the GIL (PyGILState_Check).
    holds_gil: bool | None = None
    # The program's last gc_collect, or None: {"returned": what gc.collect() returned,
    # "freed": ids of the program objects it freed, "traverse_panics": the panic texts raised
    # inside __traverse__ during it}. Objects that existed before the run are frozen
    # (gc.freeze), so the count is the program's own garbage.
    last_gc: dict | None = None

    def to_dict(self) -> dict:
        return {"label": self.label, "thread": self.thread, "holds_gil": self.holds_gil,
                "objects": {k: vars(v) for k, v in self.objects.items()}, "last_gc": self.last_gc}


@dataclass(frozen=True)
class WitnessError:
    kind: str  # compile_error | panic | abort | deadlock | exception | hang (free-threaded)
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


def _oid(k) -> str | None:
    """A registry slot as an object id ("?" stays "?", None stays None)."""
    return k if k in (None, "?") else f"o{k + 1}"


def _class_info(c: dict | None) -> dict:
    """The WitnessObject keywords for a declared pyclass object's probe entry (or none)."""
    if c is None:
        return {}
    fields = None if c["fields"] is None else {name: _oid(k) for name, k in c["fields"]}
    return {"fields": fields, "gc_tracked": c["gc"],
            "borrow": "exclusive" if c["borrow"] < 0 else c["borrow"]}


def _last_gc(g: dict | None) -> dict | None:
    if g is None:
        return None
    return {"returned": g["returned"], "freed": [_oid(k) for k in g["freed"]],
            "traverse_panics": list(g["traverse_panics"])}


def _object(oid: str, entry: list) -> WitnessObject:
    """One probe entry: [type, alive, refcount, items] and, for a pyclass object, its class info."""
    ty, alive, rc, items, *rest = entry
    if alive is None:
        return WitnessObject(oid, ty, None, None, True)
    ids = tuple("?" if k is None else f"o{k + 1}" for k in items)
    extra = _class_info(rest[0] if rest else None)
    return WitnessObject(oid, ty, rc if alive else 0, alive, False, ids, **extra)


def _state(p: dict) -> WitnessState:
    objs = {f"o{i + 1}": _object(f"o{i + 1}", e) for i, e in enumerate(p["objects"])}
    return WitnessState(p["label"], p["thread"], objs, p.get("holds_gil"), _last_gc(p.get("last_gc")))


def _fill(res: WitnessResult, raw: dict) -> WitnessResult:
    res.probes = [(p["label"], _state(p)) for p in raw["probes"]]
    e = raw.get("error")
    if e:
        res.error = WitnessError(e["kind"], e["message"], e.get("op_path"))
    return res


def ft_available() -> bool:
    """Whether the free-threaded interpreter and its witness module are built here."""
    from . import ft
    try:
        ft.gil_enabled()
    except ft.FreeThreadedUnavailable:
        return False
    return True


def _run_free_threaded(text: str, pyo3: str, features: tuple, cfg: tuple, timeout: float) -> WitnessResult:
    from . import ft
    module = ft.MODULES.get(pyo3)
    if module is None or cfg or not set(features) <= {"py-clone"}:
        builds = ", ".join(PATCH[v] for v in ft.MODULES)
        raise WitnessUnavailable(
            f"the free-threaded witness is PyO3 {builds} only (pyo3 one of {list(ft.MODULES)}, "
            f"features () or ('py-clone',), no cfg); asked for pyo3={pyo3!r} "
            f"features={list(features)} cfg={list(cfg)}")
    try:
        raw = ft.run_raw(text, "py-clone" in features, timeout, module)
    except ft.FreeThreadedUnavailable as e:
        raise WitnessUnavailable(str(e)) from e
    return _fill(WitnessResult(pyo3, features, cfg, PATCH[pyo3]), raw)


def run(program: Any, pyo3: str = DEFAULT_RELEASE, features: Iterable[str] = (), cfg: Iterable[str] = (),
        *, timeout: float | None = None, free_threaded: bool = False) -> WitnessResult:
    """Run ``program`` (dict, JSON string or path) against the real PyO3 build for
    (pyo3, features, cfg), on a free-threaded CPython with ``free_threaded=True``. Raises
    ValueError for a malformed program and WitnessUnavailable when that build is not installed;
    problems of the program's Rust are ``result.error``. ``timeout`` (seconds; default 20, or 2
    on the free-threaded build, where a timeout is how a hang shows) bounds a child-process run."""
    features = tuple(sorted(features))
    cfg = tuple(sorted(cfg))
    if free_threaded:
        return _run_free_threaded(_program_text(program), pyo3, features, cfg, 2.0 if timeout is None else timeout)
    timeout = 20.0 if timeout is None else timeout
    b = _find(pyo3, features, cfg)
    text = _program_text(program)
    res = WitnessResult(pyo3, features, cfg, b.crate)
    py_clone = b.py_clone and "py-clone" in features
    if b.child:
        # The child imports the module itself; an absent build must still read as unavailable
        # here, not as a child that died at start-up (an "abort" with no message).
        if importlib.util.find_spec(b.module) is None:
            raise WitnessUnavailable(f"{b.module} is not built (run scripts/build-witness.sh)")
        from ._child import run_child
        return _fill(res, run_child(b.module, text, py_clone, timeout))
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
