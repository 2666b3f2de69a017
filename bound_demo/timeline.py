"""When each PyO3 API arrived, was deprecated, went behind a feature and was removed.

The dates are those of the API timeline, docs/data/api-timeline.yml, where tools/rustcheck
compiles a probe on both sides of every date, so rustc vouches for each one. The package cannot
read YAML (it has no dependencies), so `python -m tools.rustcheck.timeline --export` copies the
dates, and nothing else, into api_timeline.json beside this module; tests/site fails when the
copy and the YAML differ. The model's "does not exist in this release" messages and the site's
`{{ api("...") }}` macro both speak through `phrase()`, so a page and a compile error never
give two different dates for one API.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("api_timeline.json")
KEYS = ("added", "deprecated", "gated", "removed")


@lru_cache(maxsize=None)
def table() -> dict[str, dict[str, str]]:
    """Every API of the timeline, by name: its dates (and `gate`, the feature it went behind)."""
    return json.loads(DATA.read_text())["apis"]


def entry(api: str) -> dict[str, str]:
    try:
        return table()[api]
    except KeyError:
        raise KeyError(f"{api!r} is not in the API timeline (docs/data/api-timeline.yml); "
                       f"add a row there, then run `python -m tools.rustcheck.timeline --export`") from None


def _line(release: str) -> tuple[int, int]:
    major, minor = release.split(".")[:2]
    return int(major), int(minor)


def state(api: str, release: str, features: tuple = ()) -> str:
    """What a build of `release` (with `features`) offers: "absent", "present", "deprecated",
    "gated" (exists only with the feature, which this build lacks) or "removed"."""
    e, at = entry(api), _line(release)
    if "added" in e and at < _line(e["added"]):
        return "absent"
    # Once reached, each of these dates names the state, the first that applies winning.
    dates = (("removed", True), ("gated", e.get("gate") not in features), ("deprecated", True))
    return next((key for key, applies in dates if applies and _reached(e, key, at)), "present")


def _reached(e: dict, key: str, at: tuple[int, int]) -> bool:
    """Whether the entry has the date `key` and a build of line `at` is on or after it."""
    return key in e and at >= _line(e[key])


# The words for each date of an entry, in the order they happened.
_PHRASES = (("added", "added in {added}"), ("deprecated", "deprecated in {deprecated}"),
            ("gated", "behind the `{gate}` feature from {gated}"), ("removed", "removed in {removed}"))


def phrase(api: str) -> str:
    """The API's history in words: "deprecated in 0.26, removed in 0.28"."""
    e = entry(api)
    parts = [text.format(**e) for key, text in _PHRASES if key in e]
    return ", ".join(parts) if parts else "in every release covered"
