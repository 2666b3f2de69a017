"""Cyclomatic complexity, measured with radon over the whole package: no function or method
above grade C (complexity 20), and the average no higher than it has been brought to.

The average's ceiling is a ratchet: it may only come down, towards the 2.5 issue 11 asks for.
The figure is the one `radon cc -a -s bound_demo` prints.
"""

from __future__ import annotations

from pathlib import Path

from radon.complexity import cc_rank, cc_visit

PKG = Path(__file__).resolve().parents[2] / "bound_demo"
AVERAGE_CEILING = 2.63


def _blocks():
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).as_posix()
        # radon's own list: functions, classes and each class's methods once, as `radon cc -a`
        # counts them (an earlier version of this test added the methods a second time).
        for b in cc_visit(path.read_text()):
            yield rel, b


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


def test_the_average_is_radons_own():
    # The figure quoted in issue 11 and the closing notes is radon's command-line average.
    import re
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "radon", "cc", "-a", str(PKG)],
                         capture_output=True, text=True, check=True).stdout
    radon_avg = float(re.search(r"Average complexity: \w \(([0-9.]+)\)", out).group(1))
    blocks = [b for _, b in _blocks()]
    assert abs(radon_avg - sum(b.complexity for b in blocks) / len(blocks)) < 1e-9
