"""Release profiles: everything that differs between PyO3 0.20 and 0.29, in one place.

Each row mirrors the table in section 0 of the reference spec and the sources it cites:
`src/gil.rs` (v0.20.3, v0.21.2, v0.22.6, v0.23.5), `src/internal/state.rs` and
`src/instance.rs` (v0.26.0 … v0.29.2), `src/impl_/trampoline.rs` and `Cargo.toml` features.
The rest of the model asks a `Profile` questions ("does a pool count the GIL?") and never
compares version strings itself.

Each release line stands for its last patch release (0.20.3, 0.21.2, 0.22.6, 0.23.5, 0.24.2,
0.25.1, 0.26.0, 0.27.2, 0.28.3, 0.29.3).
"""

from __future__ import annotations

from dataclasses import dataclass

RELEASES = ("0.20", "0.21", "0.22", "0.23", "0.24", "0.25", "0.26", "0.27", "0.28", "0.29")
PATCH = {
    "0.20": "0.20.3", "0.21": "0.21.2", "0.22": "0.22.6", "0.23": "0.23.5", "0.24": "0.24.2",
    "0.25": "0.25.1", "0.26": "0.26.0", "0.27": "0.27.2", "0.28": "0.28.3", "0.29": "0.29.3",
}
FEATURES = {"gil-refs": ("0.21", "0.22"), "py-clone": RELEASES[2:]}
CFGS = {
    "pyo3_disable_reference_pool": RELEASES[2:],
    "pyo3_leak_on_drop_without_reference_pool": RELEASES[2:],
}


# The one free-threaded entry of the table: PyO3 0.23 is the first release that builds for a
# free-threaded CPython (PEP 703; `#[pymodule(gil_used = false)]`). 0.23–0.28 support 3.13t,
# whose first thread state other than the main one stops the world once, to immortalize the
# objects that use deferred reference counting (CPython 3.13 Python/pystate.c
# `new_threadstate` → `_PyGC_ImmortalizeDeferredObjects`); 0.29 dropped 3.13t for 3.14t, which
# no longer does that. On both, `gc.collect()` stops the world and objects are refcounted
# with biased reference counting (Include/object.h `ob_ref_local`/`ob_ref_shared`).
FREE_THREADED = {
    "since": "0.23",
    "python": (("0.23", "3.13t"), ("0.29", "3.14t")),  # (from release, interpreter)
    "stw_on_first_thread": ("3.13t",),
}


def _minor(v: str) -> int:
    return int(v.split(".")[1])


@dataclass(frozen=True)
class Profile:
    """What one release (with its features and cfgs) does. Built by `profile()`."""

    pyo3: str
    features: tuple = ()
    cfg: tuple = ()
    # --- the owned-object pool (GILPool / OWNED_OBJECTS), spec section 1 ---
    owned_pool: bool = False  # OWNED_OBJECTS exists (0.20, 0.21, 0.22 + gil-refs)
    pool_counts_gil: bool = False  # GILPool::new/drop move GIL_COUNT (0.20/0.21 only, PR #4188)
    trampoline_pool: bool = False  # every #[pyfunction] call opens a GILPool (0.20/0.21)
    # --- GIL_COUNT / ATTACH_COUNT, spec section 3 ---
    nested_guard_counts: bool = False  # nested with_gil is an Assumed guard: +1/-1 and a drain (0.22+)
    # --- the reference pool POOL, spec section 2 ---
    deferred_increfs: bool = False  # Py::clone without the GIL queues an incref (0.20/0.21)
    lazy_reference_pool: bool = False  # POOL is created on the first deferred decref (0.22+)
    reference_pool: bool = True  # false with --cfg pyo3_disable_reference_pool
    leak_without_pool: bool = False  # --cfg pyo3_leak_on_drop_without_reference_pool
    py_clone: bool = True  # `impl Clone for Py<T>` exists (always before 0.22; feature from 0.22)
    # --- which APIs exist, and which are deprecated ---
    bound_api: bool = False  # Bound / Borrowed / Py::bind ... (0.21+)
    gil_ref_api: bool = False  # &PyAny-style GIL refs and PyCell
    gil_ref_deprecated: bool = False
    attach_names: bool = False  # Python::attach / py.detach exist (0.26+)
    with_gil_names: bool = True  # Python::with_gil / py.allow_threads exist (gone in 0.28)
    with_gil_deprecated: bool = False  # 0.26, 0.27
    bound_suffix: bool = False  # constructors spelled `*_bound` (0.21, 0.22)
    gil_word: str = "GIL"  # 0.26+ speaks of "attached" threads
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


def profile(pyo3="0.29", features=(), cfg=(), free_threaded=False) -> Profile:
    """The profile for a release line, validating features and cfgs as Cargo would;
    `free_threaded=True` is that release built for a free-threaded CPython (0.23+)."""
    pyo3 = str(pyo3)
    if pyo3.count(".") == 2:
        pyo3 = pyo3.rsplit(".", 1)[0]
    if pyo3 not in RELEASES:
        raise ValueError(f"pyo3={pyo3!r}: bound_demo models the release lines {', '.join(RELEASES)}")
    features = tuple(sorted(set(features or ())))
    cfg = tuple(sorted(set(cfg or ())))
    for f in features:
        if f not in FEATURES:
            raise ValueError(f"feature {f!r}: known features are {', '.join(FEATURES)}")
        if pyo3 not in FEATURES[f]:
            raise ValueError(
                f"feature {f!r} does not exist in PyO3 {pyo3}: it exists in "
                f"{FEATURES[f][0]}–{FEATURES[f][-1]} (cargo would reject the dependency)")
    for c in cfg:
        if c not in CFGS:
            raise ValueError(f"cfg {c!r}: known cfgs are {', '.join(CFGS)}")
        if pyo3 not in CFGS[c]:
            raise ValueError(f"cfg {c!r} has no effect before PyO3 0.22; it was added there")
    m = _minor(pyo3)
    ft = _free_threaded(pyo3) if free_threaded else {}
    gil_refs = "gil-refs" in features
    owned = m <= 21 or (m == 22 and gil_refs)
    return Profile(
        pyo3=pyo3, features=features, cfg=cfg,
        owned_pool=owned,
        pool_counts_gil=m <= 21,
        trampoline_pool=m <= 21,
        nested_guard_counts=m >= 22,
        deferred_increfs=m <= 21,
        lazy_reference_pool=m >= 22,
        reference_pool="pyo3_disable_reference_pool" not in cfg,
        leak_without_pool="pyo3_leak_on_drop_without_reference_pool" in cfg,
        py_clone=m <= 21 or "py-clone" in features,
        bound_api=m >= 21,
        gil_ref_api=owned,
        gil_ref_deprecated=(m == 21 and not gil_refs) or m == 22,
        attach_names=m >= 26,
        with_gil_names=m <= 27,
        with_gil_deprecated=m in (26, 27),
        bound_suffix=m in (21, 22),
        gil_word="attached" if m >= 26 else "GIL",
        **ft,
    )
