"""Helpers the site checks share (imported by conftest.py and the test modules)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # tools.rustcheck lives at the repository root, not in a package
    sys.path.insert(0, str(ROOT))

REPORT = ROOT / ".build" / "site-report.json"
MEASURES: dict = {}  # filled by the tests, printed and saved at the end of the session


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))
