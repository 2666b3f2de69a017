"""Shared helpers for the curriculum tests: where the notebooks are, what they import."""
from __future__ import annotations

import ast
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TIMES = ROOT / ".build" / "notebook-times.json"


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def read(path):
    import nbformat
    return nbformat.read(path, as_version=4)


def code_sources(nb) -> list:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def _python_only(src: str) -> str:
    """Drop IPython magics and shell escapes so the cell parses as Python."""
    return "\n".join("" if re.match(r"\s*[%!]", line) else line for line in src.splitlines())


def imported_modules(nb) -> set:
    """Top-level modules a notebook imports (`import a.b` -> `a.b`, `from a.b import c` -> `a.b`)."""
    out = set()
    for src in code_sources(nb):
        tree = ast.parse(_python_only(src))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                out.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                out.add(node.module)
    return out


def quiz_ids(nb) -> list:
    ids = []
    for src in code_sources(nb):
        ids += re.findall(r"quiz\.(?:ask|get)\(\s*[\"']([^\"']+)[\"']", src)
    return ids
