"""Published performance claims for the Bound API, as figures the report can set beside ours.

Sources are summarised in the project's reference notes (migration inventory, section 4). A claim
is stored as *time saved* (1 - new/old), the form all three are stated in.
"""

CLAIMS = (
    {"id": "blog_25", "saving": 0.25, "source": "David Hewitt, \"Replacing PyO3's API without "
     "breaking everything downstream\" (blog)", "quote": "up to 25% in many cases",
     "scope": "PyO3 0.21 overall, no workload named", "workloads": None},
    {"id": "issue_3382_30", "saving": 0.30, "source": "PyO3 #3382 (and #3205)",
     "quote": "as much as 30% overhead can be removed",
     "scope": "prototype benchmarks of an owned PyAny<'py> vs &PyAny",
     "workloads": None},
    {"id": "pr_3445_22", "saving": 0.22, "source": "PyO3 #3445 (criterion, Py2 internals vs main)",
     "quote": "ordered_dunder_methods -22.8%, ordered_richcmp -22.0%; call_method_0 -2.4%, "
     "collect_generic_iterator -2.4%, call_0 +0.45%",
     "scope": "dunder/richcmp on a #[pyclass]; other benches moved 0-4%",
     "workloads": ("attr_call",)},
)


def saving(ratio):
    """Time saved by the faster side, from an old/new time ratio: 1.25x -> 20%."""
    return 1.0 - 1.0 / ratio
