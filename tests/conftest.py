"""One rule for the whole suite: in CI (CI=true) a skipped test is a failed test.

Tests skip, loudly, when a tool they need is missing on a developer's machine. In CI every tool
is installed by `.ci/run`, so a skip there can only mean something broke (a build that did not
install, an import that failed): the report turns it into a failure that names the reason.
"""

from __future__ import annotations

import os

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") != "true" or not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"skipped in CI, which must run every test: {reason}"
