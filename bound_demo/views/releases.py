"""Which releases, features and cfg flags exist, as the release table says, and which of a
run's options a given release keeps."""
from __future__ import annotations

from ..versions import CFGS, DEFAULT_RELEASE, FEATURES, FREE_THREADED, RELEASES, profile

__all__ = ["CFGS", "DEFAULT_RELEASE", "FEATURES", "FREE_THREADED", "RELEASES", "allowed",
           "free_threaded_python"]


def allowed(options, release) -> tuple:
    """Keep the features/cfgs that exist in this release, so one call can span releases."""
    table = {**FEATURES, **CFGS}
    return tuple(o for o in options if release in table.get(o, (release,)))


def free_threaded_python(release) -> str:
    """The free-threaded CPython a release builds for ("3.13t"), "" when it has none.

    The release table's profile decides (its FREE_THREADED entry), so no view compares versions.
    """
    try:
        return profile(release, free_threaded=True).ft_python
    except ValueError:
        return ""
