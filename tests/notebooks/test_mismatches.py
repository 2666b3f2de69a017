"""Text, picture and questions agree (the mismatches a student met in issue 15)."""
from __future__ import annotations

import re

import bound_demo
from bound_demo import quiz
from bound_demo.format.builder import Program
from bound_demo.views import draw_step

from .nbkit import NOTEBOOKS, code_sources, read


def _nb(prefix):
    return read(next(p for p in NOTEBOOKS if p.name.startswith(prefix)))


def _markdown(nb):
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_pool_marks_are_numbered_from_one_in_picture_and_text():
    t = bound_demo.scenarios.run("gilref_loop", pyo3="0.20")
    frame = draw_step(t.steps[5], trace=t).source
    assert "▼1" in frame and "▼0" not in frame
    marks = set(re.findall(r"▼\d", _markdown(_nb("02-"))))
    assert marks == {"▼1", "▼2"}, marks


def test_migrate_question_asks_about_records_and_runs_records():
    q = quiz.get("migrate-gilrefs-peak")
    assert "`records`" in q.prompt and "n = 50" in q.prompt
    assert q.program == bound_demo.scenarios.records("gil_ref", "gil_ref", n=50)
    assert q.answer == 51  # the list and its 50 records
    assert quiz.get("migrate-bound-peak").answer == 0


def test_pyfunction_line_names_the_function():
    prog = Program()
    with prog.pyfunction("make", as_="x") as py:
        py.return_(py.new_bound("lst", type="list"))
    line = bound_demo.run(prog, pyo3="0.23").steps[0].rust
    assert line.endswith("// called from Python as x = make()"), line


def test_error_messages_have_balanced_backticks():
    prog = Program()
    with prog.with_gil() as py:
        py.new_bound("a")
    msg = bound_demo.run(prog, pyo3="0.20").error.message
    assert msg.count("`") % 2 == 0, msg
    assert "`Bound::new` / `PyList::empty_bound` does not exist in PyO3 0.20" in msg


def test_no_bare_none_printed():
    """`print(x.error, ...)` prints a bare None; the notebooks label it."""
    for path in NOTEBOOKS:
        for src in code_sources(read(path)):
            assert not re.search(r"print\(\w+\.error,", src), (path.name, src)


def test_notebooks_do_not_name_a_missing_helper():
    assert "`stage" not in _markdown(_nb("06-"))


def test_static_player_says_an_error_once():
    from bound_demo.views.player import _notes
    prog = Program()
    with prog.with_gil() as py:
        py.new_bound("a")
    t = bound_demo.run(prog, pyo3="0.29")
    assert t.steps[-1].caption == t.error.message
    assert _notes(t, t.steps[-1], last=True) == ""
