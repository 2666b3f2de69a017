"""Helpers shared by the view tests (kept out of conftest so tests can import them)."""
from __future__ import annotations

import os
import shutil
import warnings

import pytest

EXAMPLE = {"format": "bound_demo.program/1", "ops": [{"op": "with_gil", "body": [
    {"op": "new", "as": "a", "type": "object", "api": "gil_ref"},
    {"op": "probe", "label": "x"}]}]}


def need_tool(name: str) -> str:
    """Return the tool's path; in CI a missing tool fails the test instead of skipping."""
    path = shutil.which(name)
    if path:
        return path
    message = f"`{name}` is not installed (Debian package: see apt.txt)"
    if os.environ.get("CI") == "true":
        pytest.fail(message + "; CI must have it")
    warnings.warn(message + "; SKIPPING", stacklevel=2)
    pytest.skip(message)


def real_run():
    """bound_demo.run (an import failure is a test failure, never a skip)."""
    import bound_demo
    return bound_demo.run
