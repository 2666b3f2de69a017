"""Release profiles: everything that differs between PyO3 0.20 and 0.30, in one place.

Each row mirrors these PyO3 sources:
`src/gil.rs` (v0.20.3, v0.21.2, v0.22.6, v0.23.5), `src/internal/state.rs` and
`src/instance.rs` (v0.26.0 … v0.29.2, v0.30.1), `src/impl_/trampoline.rs` and `Cargo.toml`
features.
The rest of the model asks a `Profile` questions ("does a pool count the GIL?") and never
compares version strings itself.

Each release line stands for its last patch release (0.20.3, 0.21.2, 0.22.6, 0.23.5, 0.24.2,
0.25.1, 0.26.0, 0.27.2, 0.28.3, 0.29.3, 0.30.1; 0.30.0 never reached crates.io).
"""

from __future__ import annotations

from dataclasses import dataclass

RELEASES = ("0.20", "0.21", "0.22", "0.23", "0.24", "0.25", "0.26", "0.27", "0.28", "0.29",
            "0.30")
PATCH = {
    "0.20": "0.20.3", "0.21": "0.21.2", "0.22": "0.22.6", "0.23": "0.23.5", "0.24": "0.24.2",
    "0.25": "0.25.1", "0.26": "0.26.0", "0.27": "0.27.2", "0.28": "0.28.3", "0.29": "0.29.3",
    "0.30": "0.30.1",
}
# The release a run uses when none is named (the API, the CLI, the players, the quiz and the
# witness). It stays 0.29 until the notebooks and every page's default animation speak 0.30:
# a reader who is shown a release by default should find it taught everywhere.
DEFAULT_RELEASE = "0.29"
FEATURES = {"gil-refs": ("0.21", "0.22"), "py-clone": RELEASES[2:]}
CFGS = {
    "pyo3_disable_reference_pool": RELEASES[2:],
    "pyo3_leak_on_drop_without_reference_pool": RELEASES[2:],
}


def cfg_exists(cfg: str, pyo3: str) -> bool:
    """Whether a `--cfg` flag means anything in this release line."""
    return pyo3 in CFGS.get(cfg, ())


# ---- where POOL is drained ---------------------------------------------------------------
# The points in the model where PyO3 calls `ReferencePool::update_counts` (0.26+:
# `drop_deferred_references`), per release: point -> the PyO3 functions that drain there, in
# order (each name is what the drain step's caption cites). A point missing from a row drains
# nothing. Points: `pool_new` (`GILPool::new`, wherever a pool is opened); `acquire`
# (`with_gil`/`attach` on a thread whose count is 0, when no counting pool does it);
# `nested_acquire` (a nested `with_gil`/`attach`); `suspend_exit` (the end of
# `allow_threads`/`detach`); `trampoline` and `dealloc` (a `#[pyfunction]` call and a
# `#[pyclass]`'s `tp_dealloc`, when no pool does it).
#   0.20/0.21: every GILPool::new drains (src/gil.rs v0.20.3 L378-L395); acquire, the
#     trampolines and tp_dealloc open such a pool, so their drain is the pool's.
#   0.22+: the guards drain: `GILGuard::acquire` and `GILGuard::assume` (src/gil.rs v0.22.6
#     L151-L251); with `gil-refs` the pool that acquire still opens drains first.
_POOL_ERA = {"pool_new": ("GILPool::new",), "suspend_exit": ("SuspendGIL::drop",)}
_GUARD_ERA = {"pool_new": ("GILPool::new",), "acquire": ("GILGuard::acquire",),
              "nested_acquire": ("GILGuard::assume",), "suspend_exit": ("SuspendGIL::drop",),
              "trampoline": ("GILGuard::assume",), "dealloc": ("GILGuard::assume",)}
DRAIN_POINTS = {"0.20": _POOL_ERA, "0.21": _POOL_ERA, **{v: _GUARD_ERA for v in RELEASES[2:]}}
# With feature `gil-refs` (0.22 only), rows that differ from DRAIN_POINTS.
DRAIN_POINTS_GIL_REFS = {"0.22": {"acquire": ("GILPool::new", "GILGuard::acquire")}}


def _drain_points(pyo3, features):
    row = dict(DRAIN_POINTS[pyo3])
    if "gil-refs" in features:
        row.update(DRAIN_POINTS_GIL_REFS.get(pyo3, {}))
    return tuple(sorted(row.items()))


# APIs that a release deprecated or removed and that no program op spells, so the model cannot
# turn them into a compile error or a deprecation note of a step: (deprecated in, removed in),
# None for "not yet". Read from each release's CHANGELOG and checked against its source (for
# 0.30.1: #6519 removed everything 0.28 deprecated; `#[deprecated(since = "0.30.0")]` items).
API_CHANGES = {
    "Py::from_owned_ptr": ("0.28", "0.30"),
    "Py::from_owned_ptr_or_err": ("0.28", "0.30"),
    "Py::from_owned_ptr_or_opt": ("0.28", "0.30"),
    "Py::from_borrowed_ptr": ("0.28", "0.30"),
    "Py::from_borrowed_ptr_or_err": ("0.28", "0.30"),
    "Py::from_borrowed_ptr_or_opt": ("0.28", "0.30"),
    "FromPyObject for #[pyclass] + Clone": ("0.28", "0.30"),
    "Py::get_refcnt": ("0.29", None),
    "PyAnyMethods::get_refcnt": ("0.29", None),
    "#[pyclass(skip_from_py_object)]": ("0.30", None),
    "pyo3::types::PyMutex": ("0.30", None),
    "PyBuffer::as_slice": ("0.30", None),
    "PyBuffer::as_mut_slice": ("0.30", None),
    "PyBuffer::as_fortran_slice": ("0.30", None),
    "PyBuffer::as_fortran_mut_slice": ("0.30", None),
}


def api_status(api: str, pyo3: str) -> str:
    """"present", "deprecated" or "removed" for an `API_CHANGES` entry in a release line."""
    deprecated, removed = API_CHANGES[api]
    m = _minor(pyo3)
    if removed is not None and m >= _minor(removed):
        return "removed"
    return "deprecated" if m >= _minor(deprecated) else "present"


# The one free-threaded entry of the table: PyO3 0.23 is the first release that builds for a
# free-threaded CPython (PEP 703; `#[pymodule(gil_used = false)]`). 0.23–0.28 support 3.13t,
# whose first thread state other than the main one stops the world once, to immortalize the
# objects that use deferred reference counting (CPython 3.13 Python/pystate.c
# `new_threadstate` → `_PyGC_ImmortalizeDeferredObjects`); 0.29 dropped 3.13t for 3.14t, which
# no longer does that. On both, `gc.collect()` stops the world and objects are refcounted
# with biased reference counting (Include/object.h `ob_ref_local`/`ob_ref_shared`).
FREE_THREADED = {
    "since": "0.23",
    # `#[pymodule(gil_used = ...)]` when a module does not say: true up to 0.27 (the module
    # makes CPython enable the GIL, with a RuntimeWarning), false from 0.28 (#5564; read from
    # pyo3-macros-backend v0.28.3 src/module.rs `gil_used.is_some_and(..)`).
    "gil_used_default": (("0.23", True), ("0.28", False)),
    # `pyo3::sync::GILProtected`: `#[cfg(not(Py_GIL_DISABLED))]` from 0.23 (#4504), deprecated
    # in 0.26 (#5285), gone in 0.28 (#5740; not in v0.28.3 src/sync.rs).
    "gil_protected": {"absent_on_ft": "0.23", "deprecated": "0.26", "removed": "0.28"},
    "python": (("0.23", "3.13t"), ("0.29", "3.14t")),  # (from release, interpreter)
    "stw_on_first_thread": ("3.13t",),
}


# What PyO3 panics with when a `__traverse__` attaches (src/gil.rs up to 0.25, with PyO3's
# own spelling "implmentation"; src/internal/state.rs from 0.26). Observed on real builds.
TRAVERSE_ATTACH_TEXTS = (
    "Access to the GIL is prohibited while a __traverse__ implmentation is running.",
    "Attaching a thread to the interpreter is prohibited while a __traverse__ implementation "
    "is running.",
)


def _pyclass_rows(m: int) -> dict:
    """The Profile fields of issue 13 (borrows, guards, the collector) for minor release m."""
    return {
        "pyref_owns_bound": m >= 21,
        "pyclass_guard": m >= 26,
        "pyclass_always_gc": m >= 30,
        "traverse_attach_text": TRAVERSE_ATTACH_TEXTS[m >= 26],
        "clear_without_traverse": "compile_error" if m >= 30 else "type_init_error",
    }


def _minor(v: str) -> int:
    return int(v.split(".")[1])


def gil_used_default(pyo3: str) -> bool:
    """What a `#[pymodule]` that does not say `gil_used` declares, in this release line."""
    return [used for since, used in FREE_THREADED["gil_used_default"]
            if _minor(pyo3) >= _minor(since)][-1]


def gil_protected_status(prof) -> str:
    """"present", "deprecated", "removed" or "free_threaded" (left out of that build)."""
    row, m = FREE_THREADED["gil_protected"], _minor(prof.pyo3)
    if m >= _minor(row["removed"]):
        return "removed"
    if prof.free_threaded:
        return "free_threaded"
    return "deprecated" if m >= _minor(row["deprecated"]) else "present"


@dataclass(frozen=True)
class Profile:
    """What one release (with its features and cfgs) does. Built by `profile()`."""

    pyo3: str
    features: tuple = ()
    cfg: tuple = ()
    # --- the owned-object pool (GILPool / OWNED_OBJECTS) ---
    owned_pool: bool = False  # OWNED_OBJECTS exists (0.20, 0.21, 0.22 + gil-refs)
    pool_counts_gil: bool = False  # GILPool::new/drop move GIL_COUNT (0.20/0.21 only, PR #4188)
    trampoline_pool: bool = False  # every #[pyfunction] call opens a GILPool (0.20/0.21)
    # --- GIL_COUNT / ATTACH_COUNT ---
    nested_guard_counts: bool = False  # nested with_gil is an Assumed guard: +1/-1 and a drain (0.22+)
    # --- the reference pool POOL ---
    deferred_increfs: bool = False  # Py::clone without the GIL queues an incref (0.20/0.21)
    lazy_reference_pool: bool = False  # POOL is created on the first deferred decref (0.22–0.29)
    # 0.29.3: importing the module already creates POOL. `ModuleDef::make_module` fills two
    # `PyOnceLock`s (v0.29.3:src/impl_/pymodule.rs L175-L203), and a first fill detaches
    # (src/sync/once_lock.rs L173-L193); since #6404 `SuspendAttach::drop` drains through
    # `get_pool()`, which creates the `OnceLock` even with nothing queued (src/internal/state.rs
    # L260-L272), where 0.22–0.29.2 asked `POOL.get()`. A program runs in an imported module.
    pool_made_by_import: bool = False
    # 0.30 (#6200): POOL is a plain `static` again, and a drain first reads an `AtomicBool`
    # dirty flag, then only the thread whose `compare_exchange(true, false)` succeeds takes the
    # queue (v0.30.1:src/internal/state.rs L197-L281).
    dirty_flag: bool = False
    reference_pool: bool = True  # false with --cfg pyo3_disable_reference_pool
    leak_without_pool: bool = False  # --cfg pyo3_leak_on_drop_without_reference_pool
    # 0.30.1 with both cfgs: `register_decref` takes the `Py<T>` by value and, with neither cfg
    # block compiled in, drops it again, which calls `register_decref` again, for ever
    # (v0.30.1:src/internal/state.rs L353-L366, src/instance.rs L2164-L2186). The witness built
    # on 0.30.1 never returns from such a drop; 0.22–0.29 took a raw pointer and so leaked it.
    leak_drop_never_returns: bool = False
    py_clone: bool = True  # `impl Clone for Py<T>` exists (always before 0.22; feature from 0.22)
    # --- which APIs exist, and which are deprecated ---
    bound_api: bool = False  # Bound / Borrowed / Py::bind ... (0.21+)
    gil_ref_api: bool = False  # &PyAny-style GIL refs and PyCell
    gil_ref_deprecated: bool = False
    attach_names: bool = False  # Python::attach / py.detach exist (0.26+)
    with_gil_names: bool = True  # Python::with_gil / py.allow_threads exist (gone in 0.28)
    with_gil_deprecated: bool = False  # 0.26, 0.27
    bound_suffix: bool = False  # constructors spelled `*_bound` (0.21, 0.22)
    gil_refs_behind_feature: bool = False  # 0.22: GIL Refs exist only with the `gil-refs` feature
    gil_refs_feature_silences: bool = False  # 0.21: `gil-refs` only silences the deprecation
    into_py_api: bool = True  # `IntoPy::into_py` exists (gone in 0.25)
    into_py_deprecated: bool = False  # 0.23, 0.24: `IntoPy` gave way to `IntoPyObject`
    gil_word: str = "GIL"  # 0.26+ speaks of "attached" threads
    drain_points: tuple = ()  # (point, PyO3 functions that drain there), from DRAIN_POINTS
    # --- #[pyclass] borrows and the cyclic collector (issue 13, docs/design/pyclass-gc.md) ---
    # PyRef/PyRefMut hold a cloned `Bound` (+1 while held) from 0.21 (src/pycell.rs v0.21.2);
    # in 0.20 they borrow the `&PyCell<T>` GIL ref and own nothing.
    pyref_owns_bound: bool = False
    pyclass_guard: bool = False  # PyClassGuard / PyClassGuardMut exist (0.26+, src/pyclass/guard.rs)
    # 0.30 (#6269): every pyclass has Py_TPFLAGS_HAVE_GC and a tp_traverse visiting its type.
    pyclass_always_gc: bool = False
    traverse_attach_text: str = TRAVERSE_ATTACH_TEXTS[0]  # the panic of attaching in __traverse__
    # `__clear__` without `__traverse__`: "type_init_error" (0.20–0.29, create_type_object.rs)
    # or "compile_error" (0.30: E0080 in a const assertion).
    clear_without_traverse: str = "type_init_error"

    def drains(self, point: str) -> tuple:
        """The PyO3 functions that drain POOL at this point of the model, in order."""
        for p, where in self.drain_points:
            if p == point:
                return where
        return ()
    # --- free-threaded CPython (the FREE_THREADED entry) ---
    free_threaded: bool = False  # several threads attached at once; stop-the-world pauses
    ft_python: str = ""  # the free-threaded interpreter this release builds for ("3.13t")
    stw_on_first_thread: bool = False  # the first non-main thread state stops the world (3.13t)

    @property
    def label(self) -> str:
        extra = [f"+{f}" for f in self.features] + [f"--cfg {c}" for c in self.cfg]
        if self.free_threaded:
            extra.append(f"on Python {self.ft_python} (free-threaded)")
        return " ".join([f"PyO3 {self.pyo3}"] + extra)

    @property
    def pool_from_start(self) -> bool:
        """POOL exists before anything is queued: a plain static (0.20/0.21, 0.30+), or the
        `OnceLock` the module's import filled (0.29.3), in a build that did not remove it with
        `--cfg pyo3_disable_reference_pool`."""
        return self.reference_pool and (not self.lazy_reference_pool or self.pool_made_by_import)

    @property
    def count_name(self) -> str:
        return "ATTACH_COUNT" if self.attach_names else "GIL_COUNT"

    @property
    def acquire_name(self) -> str:
        return "attach" if self.attach_names else "with_gil"


def _free_threaded(pyo3: str) -> dict:
    """The Profile fields of the free-threaded build of a release (ValueError before 0.23)."""
    m = _minor(pyo3)
    if m < _minor(FREE_THREADED["since"]):
        raise ValueError(
            f"free_threaded=True: PyO3 {pyo3} cannot build for a free-threaded Python; support "
            f"arrived in {FREE_THREADED['since']} (declare the module with "
            f"`#[pymodule(gil_used = false)]`). Fix: pick pyo3=\"0.23\" or later.")
    python = [py for since, py in FREE_THREADED["python"] if m >= _minor(since)][-1]
    return {"free_threaded": True, "ft_python": python,
            "stw_on_first_thread": python in FREE_THREADED["stw_on_first_thread"]}


# Profile fields that hold in a span of release lines and nowhere else: (first, last), None
# leaving that end open. The fields that also hang on features and cfgs are in `_flag_rows`.
SPANS = {
    "pool_counts_gil": (None, "0.21"),
    "trampoline_pool": (None, "0.21"),
    "nested_guard_counts": ("0.22", None),
    "deferred_increfs": (None, "0.21"),
    "lazy_reference_pool": ("0.22", "0.29"),
    "pool_made_by_import": ("0.29", "0.29"),
    "dirty_flag": ("0.30", None),
    "bound_api": ("0.21", None),
    "attach_names": ("0.26", None),
    "with_gil_names": (None, "0.27"),
    "with_gil_deprecated": ("0.26", "0.27"),
    "bound_suffix": ("0.21", "0.22"),
    "gil_refs_behind_feature": ("0.22", "0.22"),
    "gil_refs_feature_silences": ("0.21", "0.21"),
    "into_py_api": (None, "0.24"),
    "into_py_deprecated": ("0.23", "0.24"),
}


def _in_span(pyo3, span):
    first, last = span
    return RELEASES.index(first or RELEASES[0]) <= RELEASES.index(pyo3) \
        <= RELEASES.index(last or RELEASES[-1])


def _release_rows(pyo3: str) -> dict:
    """The Profile fields that only the release line decides."""
    rows = {name: _in_span(pyo3, span) for name, span in SPANS.items()}
    rows["gil_word"] = "attached" if rows["attach_names"] else "GIL"
    return rows


def _flag_rows(m: int, features: tuple, cfg: tuple) -> dict:
    """The Profile fields that hang on the features and cfgs too, for minor release m."""
    gil_refs = "gil-refs" in features
    owned = m <= 21 or (m == 22 and gil_refs)
    leak = "pyo3_leak_on_drop_without_reference_pool" in cfg
    return {
        "owned_pool": owned,
        "gil_ref_api": owned,
        "gil_ref_deprecated": (m == 21 and not gil_refs) or m == 22,
        "py_clone": m <= 21 or "py-clone" in features,
        "reference_pool": "pyo3_disable_reference_pool" not in cfg,
        "leak_without_pool": leak,
        "leak_drop_never_returns": leak and m >= 30,
    }


def _release_line(pyo3) -> str:
    """The release line a version names ("0.29.3" is the line "0.29"), if it is modelled."""
    pyo3 = str(pyo3)
    if pyo3.count(".") == 2:
        pyo3 = pyo3.rsplit(".", 1)[0]
    if pyo3 not in RELEASES:
        raise ValueError(f"pyo3={pyo3!r}: bound_demo models the release lines {', '.join(RELEASES)}")
    return pyo3


def _check_feature(pyo3, f):
    if f not in FEATURES:
        raise ValueError(f"feature {f!r}: known features are {', '.join(FEATURES)}")
    if pyo3 not in FEATURES[f]:
        raise ValueError(
            f"feature {f!r} does not exist in PyO3 {pyo3}: it exists in "
            f"{FEATURES[f][0]}–{FEATURES[f][-1]} (cargo would reject the dependency)")


def _check_cfg(pyo3, c):
    if c not in CFGS:
        raise ValueError(f"cfg {c!r}: known cfgs are {', '.join(CFGS)}")
    if pyo3 not in CFGS[c]:
        raise ValueError(f"cfg {c!r} has no effect before PyO3 0.22; it was added there")


def profile(pyo3=DEFAULT_RELEASE, features=(), cfg=(), free_threaded=False) -> Profile:
    """The profile for a release line, validating features and cfgs as Cargo would;
    `free_threaded=True` is that release built for a free-threaded CPython (0.23+)."""
    pyo3 = _release_line(pyo3)
    features = tuple(sorted(set(features or ())))
    cfg = tuple(sorted(set(cfg or ())))
    for f in features:
        _check_feature(pyo3, f)
    for c in cfg:
        _check_cfg(pyo3, c)
    m = _minor(pyo3)
    ft = _free_threaded(pyo3) if free_threaded else {}
    return Profile(
        pyo3=pyo3, features=features, cfg=cfg,
        drain_points=_drain_points(pyo3, features),
        **_release_rows(pyo3),
        **_flag_rows(m, features, cfg),
        **_pyclass_rows(m),
        **ft,
    )
