"""Shared fixtures for the view tests: fake traces, real traces once the model
exists, and the 'is the dot binary here?' policy (a failure in CI, a loud skip
elsewhere)."""
from __future__ import annotations

import os
import shutil
import sys
import warnings
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

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


@pytest.fixture
def dot():
    return need_tool("dot")


def real_run():
    """bound_demo.run if the model has landed, else None."""
    try:
        import bound_demo
        return getattr(bound_demo, "run", None)
    except ImportError:
        return None


@pytest.fixture
def example_trace():
    """The brief's example on PyO3 0.20: from the model when present, else a fake."""
    run = real_run()
    if run is not None:
        return run(EXAMPLE, pyo3="0.20")
    import fakes
    return fakes.gil_ref_trace()
