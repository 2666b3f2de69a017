"""What is timed: each workload is run by several *series* (one extension build + one API) on the
same iteration count, so their times are directly comparable.

The Rust for each function lives in ``bench_real/``: ``gil_refs.rs`` (compiled for 0.20.3 and
0.21.2), ``pyo3_021/src/bound.rs`` and ``attach_api.rs`` (included unchanged by the 0.29.3 and
the 0.30.1 crates, so those two builds differ only in PyO3).
"""
from dataclasses import dataclass

from ..versions import PATCH

MODULES = {"0.20": "bench_pyo3_020", "0.21": "bench_pyo3_021", "0.29": "bench_pyo3_029",
           "0.30": "bench_pyo3_030"}


@dataclass(frozen=True)
class Series:
    key: str        # stable id used in the JSON, e.g. "0.21/gil_refs"
    pyo3: str       # key of MODULES
    function: str   # #[pyfunction] name in that module
    label: str      # what a reader sees in tables and charts


@dataclass(frozen=True)
class Workload:
    name: str
    title: str
    what: str
    series: tuple
    inputs: tuple = ()   # keys of inputs() passed before n, e.g. the list to iterate


LEN = 1000


def inputs():
    """The Python objects the workloads read, built once per run and shared by every series."""
    ints = list(range(LEN))
    return {
        "complex": complex(1.5, -2.0),
        "ints": ints,
        "tuple": tuple(ints),
        "floats": [i * 0.5 for i in range(LEN)],
        "strs": [f"s{i}" for i in range(LEN)],
    }


def _std(name, extra=()):
    """The four series every GIL-ref/Bound workload has, plus any extras."""
    return (
        Series("0.20/gil_refs", "0.20", f"{name}_gil_refs", f"{PATCH['0.20']} GIL Refs"),
        Series("0.21/gil_refs", "0.21", f"{name}_gil_refs", f"{PATCH['0.21']} GIL Refs (gil-refs)"),
        Series("0.21/bound", "0.21", f"{name}_bound", f"{PATCH['0.21']} Bound"),
        Series("0.29/bound", "0.29", f"{name}_bound", f"{PATCH['0.29']} Bound"),
    ) + tuple(extra)


WORKLOADS = (
    Workload("create_drop", "Create and drop objects",
             "PyString::new in a loop inside one #[pyfunction] call (issue #1056's loop)",
             _std("create_drop")),
    Workload("attr_call", "Attribute access and method call",
             "getattr('real') + call_method0('conjugate') on a complex, interned names",
             _std("attr_call"), ("complex",)),
    Workload("list_items", "Iterate a list",
             "list.get_item(i) then list.iter() over a 1000-int list",
             _std("list_items"), ("ints",)),
    Workload("tuple_items", "Iterate a tuple",
             "tuple.get_item(i) then tuple.iter(); Borrowed variant uses get_borrowed_item/iter_borrowed",
             _std("tuple_items", (
                 Series("0.21/borrowed", "0.21", "tuple_items_borrowed", f"{PATCH['0.21']} Borrowed"),
                 Series("0.29/borrowed", "0.29", "tuple_items_borrowed", f"{PATCH['0.29']} Borrowed"))),
             ("tuple",)),
    Workload("extract", "Extract Rust values",
             "iterate three lists, extract i64, f64 and String from each row",
             _std("extract"), ("ints", "floats", "strs")),
    Workload("py_drop", "Py<T> dropped without the GIL",
             "n Py<PyAny> handles dropped inside allow_threads/detach (queued in the reference "
             "pool, drained on re-attach) vs dropped while attached",
             tuple(Series(f"{v}/{how}", v, f"py_drop_{how}", f"{full} {how}")
                   for v, full in ((v, PATCH[v]) for v in ("0.20", "0.21", "0.29", "0.30"))
                   for how in ("detached", "attached"))),
    # PyO3 #6200 (0.30) changed how a guard looks at the reference pool when nothing is queued:
    # 0.29 locks its mutex, 0.30 reads a dirty flag. These two isolate that look. They must come
    # after `py_drop`: in 0.29 the pool exists only once something was dropped detached in the
    # process (before that a guard finds no pool and locks nothing), and timing and callgrind
    # both run the workloads in this order in one process per build.
    Workload("attach_empty", "Nested attach, empty reference pool",
             "n nested Python::attach calls on an attached thread: an Assumed guard counts up, "
             "looks at the reference pool (nothing queued) and counts down",
             tuple(Series(f"{v}/empty", v, "attach_nested_empty", f"{full} nested attach")
                   for v, full in (("0.29", f"{PATCH['0.29']}"), ("0.30", f"{PATCH['0.30']}")))),
    Workload("detach_empty", "Detach round trip, empty reference pool",
             "n py.detach(|| ()) calls: release and re-take the GIL, then look at the reference "
             "pool (nothing queued)",
             tuple(Series(f"{v}/empty", v, "detach_roundtrip_empty", f"{full} detach round trip")
                   for v, full in (("0.29", f"{PATCH['0.29']}"), ("0.30", f"{PATCH['0.30']}")))),
)
# The workloads about the reference pool rather than the handle API: the GIL-Refs-vs-Bound tables
# and charts leave them out.
POOL_LOADS = ("py_drop", "attach_empty", "detach_empty")

# Ratios reported per workload: (id, numerator series, denominator series, meaning).
# > 1 means the denominator is faster. Missing series (e.g. Borrowed on create_drop) are skipped.
RATIOS = (
    ("same_build", "0.21/gil_refs", "0.21/bound",
     f"GIL Refs / Bound, both in the {PATCH['0.21']} build (same process, same PyO3 internals)"),
    ("claim_baseline", "0.20/gil_refs", "0.21/bound",
     f"{PATCH['0.20']} GIL Refs / {PATCH['0.21']} Bound: the upgrade the 25-30% claims describe"),
    ("today", "0.20/gil_refs", "0.29/bound", f"{PATCH['0.20']} GIL Refs / {PATCH['0.29']} Bound"),
    ("shim", "0.21/gil_refs", "0.20/gil_refs",
     f"{PATCH['0.21']} GIL Refs / {PATCH['0.20']} GIL Refs: cost of upgrading without migrating"),
    ("borrowed", "0.21/bound", "0.21/borrowed", f"{PATCH['0.21']} owned Bound / Borrowed"),
    ("pool_020", "0.20/detached", "0.20/attached", f"{PATCH['0.20']} drop detached / attached"),
    ("pool_021", "0.21/detached", "0.21/attached", f"{PATCH['0.21']} drop detached / attached"),
    ("pool_029", "0.29/detached", "0.29/attached", f"{PATCH['0.29']} drop detached / attached"),
    ("pool_030", "0.30/detached", "0.30/attached", f"{PATCH['0.30']} drop detached / attached"),
    ("empty_029_030", "0.29/empty", "0.30/empty", f"{PATCH['0.29']} / {PATCH['0.30']}, nothing queued"),
    ("detached_029_030", "0.29/detached", "0.30/detached", f"{PATCH['0.29']} / {PATCH['0.30']}, Py dropped detached"),
    ("attached_029_030", "0.29/attached", "0.30/attached", f"{PATCH['0.29']} / {PATCH['0.30']}, Py dropped attached"),
)

# Issue #1056's loop for the memory measurement: (series key, module version, function).
RSS_SERIES = (
    ("0.20/gil_refs", "0.20", "create_drop_gil_refs"),
    ("0.21/gil_refs", "0.21", "create_drop_gil_refs"),
    ("0.21/bound", "0.21", "create_drop_bound"),
    ("0.29/bound", "0.29", "create_drop_bound"),
)
RSS_POINTS = (10**3, 10**4, 10**5, 10**6)

# Work per #[pyfunction] call for the scaling experiment, and which ratios it follows.
SCALING_N = (10, 100, 10**3, 10**4, 10**5, 10**6)
SCALING = (
    ("create_drop", "0.21/gil_refs", "0.21/bound"),
    ("list_items", "0.21/gil_refs", "0.21/bound"),
)
