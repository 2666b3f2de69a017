"""The suite's rule that a skip in CI is a failure (tests/conftest.py) really fires."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"
SKIPPING = "import pytest\n\n\ndef test_needs_a_tool():\n    pytest.skip('the tool is missing')\n"


def _run(tmp_path, ci):
    shutil.copy(CONFTEST, tmp_path / "conftest.py")
    (tmp_path / "test_skipping.py").write_text(SKIPPING)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci:
        env["CI"] = "true"
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_a_skip_fails_in_ci(tmp_path):
    out = _run(tmp_path, ci=True)
    assert out.returncode == 1
    assert "skipped in CI, which must run every test: Skipped: the tool is missing" in out.stdout


def test_a_skip_stays_a_skip_elsewhere(tmp_path):
    out = _run(tmp_path, ci=False)
    assert out.returncode == 0 and "1 skipped" in out.stdout
