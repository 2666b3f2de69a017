"""What differs between releases lives in `bound_demo/versions.py` only.

Outside it, no module compares version strings or version tuples, parses a release's minor
number, or types a patch version; release-line names ("0.21") appear only where a module's
content is about a named release (a quiz question's release, a benchmark's series, a witness
build's row) and never in a comparison. Each check is shown to fire on a planted line.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "bound_demo"
TABLE = PKG / "versions.py"
RELEASE = re.compile(r"^0\.[23]\d$")
PATCH = re.compile(r"^0\.[23]\d\.\d+$")
# Modules whose content names releases: which release a question, a measured series or a
# built extension module is about. Comparisons and patch versions stay forbidden there too.
CONTENT = {"quiz.py", "bench.py", "views/bench.py", "witness/__init__.py",
           "bench_real/workloads.py", "bench_real/report.py", "bench_real/reading.py", "bench_real/__main__.py",
           "bench_real/model.py", "witness/ft.py"}


def _docstrings(tree):
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def _is_versionish(node):
    """A release or patch literal, a (0, N) tuple, or something named `pyo3`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(RELEASE.match(node.value) or PATCH.match(node.value))
    if isinstance(node, ast.Tuple) and len(node.elts) >= 2 \
            and all(isinstance(e, ast.Constant) and isinstance(e.value, int) for e in node.elts):
        return node.elts[0].value == 0 and node.elts[1].value >= 20
    if isinstance(node, ast.Attribute):
        return node.attr == "pyo3"
    if isinstance(node, ast.Name):
        return node.id == "pyo3"
    return False


def _mentions_pyo3(node):
    return any(isinstance(n, (ast.Name, ast.Attribute)) and getattr(n, "id", getattr(n, "attr", None)) == "pyo3"
               for n in ast.walk(node))


def problems(source, rel):
    """Every place in one module's source that decides or states a release fact by itself."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            ordered = any(not isinstance(o, (ast.In, ast.NotIn, ast.Eq, ast.NotEq, ast.Is, ast.IsNot)) for o in node.ops)
            literal = any(_is_versionish(s) and not isinstance(s, (ast.Name, ast.Attribute)) for s in sides)
            if literal or (ordered and any(_mentions_pyo3(s) for s in sides)):
                out.append(f"{rel}:{node.lineno}: compares a release")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "split" and _mentions_pyo3(node.func.value):
            out.append(f"{rel}:{node.lineno}: parses a release string")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            if PATCH.match(node.value):
                out.append(f"{rel}:{node.lineno}: patch version {node.value!r}")
            elif RELEASE.match(node.value) and rel not in CONTENT:
                out.append(f"{rel}:{node.lineno}: release literal {node.value!r}")
    return out


def test_no_release_fact_outside_the_table():
    found = []
    for path in sorted(PKG.rglob("*.py")):
        if path == TABLE:
            continue
        rel = path.relative_to(PKG).as_posix()
        found += problems(path.read_text(), rel)
    assert found == []


def test_each_check_fires():
    assert problems('if prof.pyo3 >= "0.22":\n    pass\n', "x.py") == [
        "x.py:1: compares a release", "x.py:1: release literal '0.22'"]
    assert problems("m = int(prof.pyo3.split('.')[1])\n", "x.py") == ["x.py:1: parses a release string"]
    assert problems("if v >= (0, 26):\n    pass\n", "x.py") == ["x.py:1: compares a release"]
    assert problems('crate = "0.29.3"\n', "quiz.py") == ["quiz.py:1: patch version '0.29.3'"]
    assert problems('Q(pyo3="0.20")\n', "quiz.py") == []
    assert problems('def f():\n    """Say 0.21."""\n', "x.py") == []
