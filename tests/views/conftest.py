"""Fixtures for the view tests: `dot` availability (a failure in CI, a loud skip
elsewhere) and the brief's example trace, from the model when it is importable."""
from __future__ import annotations

import pytest

from . import fakes
from .helpers import EXAMPLE, need_tool, real_run


@pytest.fixture
def dot():
    return need_tool("dot")


@pytest.fixture
def example_trace():
    """The brief's example on PyO3 0.20: from the model when present, else a fake."""
    run = real_run()
    if run is not None:
        return run(EXAMPLE, pyo3="0.20")
    return fakes.gil_ref_trace()
