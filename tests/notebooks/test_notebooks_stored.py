"""(a) The curriculum as stored: no outputs, no execution counts, and the shape every notebook
promises (goals first, "What to notice" and exercises last, questions from the package bank)."""
from __future__ import annotations

import ast
import re

import pytest

from .nbkit import NOTEBOOKS, code_sources, quiz_ids, read


def test_there_are_at_least_seven_notebooks():
    assert len(NOTEBOOKS) >= 7, [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    nb = read(path)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        assert cell.get("outputs") == [], f"{path.name} cell {i} has stored outputs"
        assert cell.get("execution_count") is None, f"{path.name} cell {i} has an execution count"
    assert "widgets" not in nb.metadata, f"{path.name} stores widget state"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_shape(path):
    nb = read(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert "you will be able to" in first.source, f"{path.name} does not open with its goals"
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "## What to notice" in text, path.name
    assert "## Exercises" in text, path.name
    assert text.index("## What to notice") < text.index("## Exercises")
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_questions_come_from_the_bank(path):
    from bound_demo import quiz
    nb = read(path)
    ids = quiz_ids(nb)
    assert ids, f"{path.name} asks no questions"
    for qid in ids:
        assert qid in quiz.ids(), f"{path.name} asks unknown question {qid!r}"
    # No answers in the source: nobody calls check() with a value or prints `.answer`.
    for src in code_sources(nb):
        assert not re.search(r"quiz\.check\(|\.answer\b|static_html\(", src), src


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_simulation_or_private_api_in_cells(path):
    """Cells use bound_demo's public API: no underscore names from the package, no
    interpreter/state internals."""
    for src in code_sources(read(path)):
        assert not re.search(r"\._[a-z]", src), src
        assert not re.search(r"bound_demo\.(concepts|rules|store|interpreter|state|snapshot|pvec|heap|"
                             r"gil|gilpool|reference_pool|instance)\b", src), src


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_cells_define_nothing(path):
    """Notebooks call the package: a `def` or `class` in a cell is logic that belongs in it."""
    for src in code_sources(read(path)):
        tree = ast.parse(src)
        defined = [n.name for n in ast.walk(tree)
                   if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        assert defined == [], f"{path.name} defines {defined}; move it into bound_demo"


def test_teachers_guide_covers_every_notebook():
    guide = (NOTEBOOKS[0].parents[1] / "docs" / "teachers-guide.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        title = read(path).cells[0].source.splitlines()[0].split("·", 1)[-1].strip()
        assert title in guide, f"{path.name} ({title!r}) is missing from the teacher's guide"
    assert "https://mybinder.org/v2/gh/ORG/REPO/HEAD?urlpath=lab/tree/notebooks/NAME.ipynb" in guide
