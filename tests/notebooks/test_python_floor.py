"""One Python floor, stated the same everywhere a learner or Binder reads it: runtime.txt (what
repo2docker installs), pyproject's requires-python, the README and the docs (teacher's guide)."""
from __future__ import annotations

import re
import tomllib

from .nbkit import ROOT

FLOOR = "3.11"  # The pinned ipykernel and matplotlib install on 3.11 and later only.


def _floors_in_prose() -> dict:
    found = {}
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for m in re.finditer(r"Python (3\.\d+) or later|Python >= ?(3\.\d+)", path.read_text(encoding="utf-8")):
            found.setdefault(m.group(1) or m.group(2), []).append(path.relative_to(ROOT).as_posix())
    return found


def test_runtime_txt_pins_the_floor_for_binder():
    assert (ROOT / "runtime.txt").read_text().strip() == f"python-{FLOOR}"


def test_pyproject_requires_the_floor():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["requires-python"] == f">={FLOOR}"


def test_readme_and_teachers_guide_state_the_floor():
    floors = _floors_in_prose()
    assert set(floors) == {FLOOR}, floors
    assert "README.md" in floors[FLOOR]
    assert "docs/teachers-guide.md" in floors[FLOOR]
