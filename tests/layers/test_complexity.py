"""Cyclomatic complexity, measured with radon over the whole package: no function or method
above grade C (complexity 20), and the average no higher than it has been brought to.

The average's ceiling is the 2.5 the project set itself (issue 11); it may only come down.
"""

from __future__ import annotations

from pathlib import Path

from radon.complexity import cc_rank, cc_visit

PKG = Path(__file__).resolve().parents[2] / "bound_demo"
AVERAGE_CEILING = 2.5


def _blocks():
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).as_posix()
        for b in cc_visit(path.read_text()):
            yield rel, b
            for m in getattr(b, "methods", ()):  # a class's methods are blocks of their own
                yield rel, m


def test_no_function_above_grade_c():
    above = [f"{rel}:{b.lineno} {b.name} ({cc_rank(b.complexity)}, {b.complexity})"
             for rel, b in _blocks() if cc_rank(b.complexity) not in "ABC"]
    assert above == []


def test_average_complexity_does_not_grow():
    blocks = [b for _, b in _blocks()]
    average = sum(b.complexity for b in blocks) / len(blocks)
    assert average <= AVERAGE_CEILING, f"average complexity {average:.3f} over {len(blocks)} blocks"


def test_the_grade_check_sees_a_complex_function():
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(25))
    (b,) = cc_visit(f"def f(x):\n{branches}    return -1\n")
    assert cc_rank(b.complexity) not in "ABC"
