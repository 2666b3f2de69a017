"""Which releases, features and cfg flags exist, as the release table says, and which of a
run's options a given release keeps."""
from __future__ import annotations

from ..versions import CFGS, DEFAULT_RELEASE, FEATURES, RELEASES

__all__ = ["CFGS", "DEFAULT_RELEASE", "FEATURES", "RELEASES", "allowed"]


def allowed(options, release) -> tuple:
    """Keep the features/cfgs that exist in this release, so one call can span releases."""
    table = {**FEATURES, **CFGS}
    return tuple(o for o in options if release in table.get(o, (release,)))
