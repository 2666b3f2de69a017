"""The package's layers (pyproject.toml, [tool.importlinter]) hold: `lint-imports` keeps every
contract, and it does break one when a low layer reaches up (so this check can fail)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(cwd):
    env = dict(os.environ, PYTHONPATH=str(cwd))
    return subprocess.run([str(LINT), "--no-cache"], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_every_contract_is_kept():
    out = _lint(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def test_an_upward_import_breaks_the_layers(tmp_path):
    shutil.copytree(ROOT / "bound_demo", tmp_path / "bound_demo",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    pvec = tmp_path / "bound_demo" / "store" / "pvec.py"
    pvec.write_text(pvec.read_text() + "\nfrom ..views import frame  # a store module reaching up\n")
    out = _lint(tmp_path)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "bound_demo.store is not allowed to import bound_demo.views" in out.stdout
