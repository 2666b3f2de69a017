"""Which releases, features and cfg flags exist: the model's own tables when it is
importable, else the list from the program format (so views work on old checkouts)."""
from __future__ import annotations

try:
    from bound_demo.versions import CFGS, DEFAULT, FEATURES, RELEASES
except Exception:  # pragma: no cover - only while the model is being written
    RELEASES = tuple(f"0.{m}" for m in range(20, 31))
    DEFAULT = "0.29"
    FEATURES = {"gil-refs": ("0.21", "0.22"), "py-clone": RELEASES[2:]}
    CFGS = {"pyo3_disable_reference_pool": RELEASES[2:],
            "pyo3_leak_on_drop_without_reference_pool": RELEASES[2:]}


def allowed(options, release) -> tuple:
    """Keep the features/cfgs that exist in this release, so one call can span releases."""
    table = {**FEATURES, **CFGS}
    return tuple(o for o in options if release in table.get(o, (release,)))
