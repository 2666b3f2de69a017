"""bound_demo.quiz: answers come from the model, the static form hides them in a <details>
reveal, the widget checks, hints and reveals only after an attempt."""
from __future__ import annotations

import html
from pathlib import Path

import pytest

import bound_demo
from bound_demo import quiz


# The numbers of the notebooks in notebooks/ (01-..., 09-...).
NOTEBOOK_NUMBERS = {int(p.name[:2]) for p in (Path(__file__).parents[2] / "notebooks").glob("[0-9][0-9]-*.ipynb")}


@pytest.mark.parametrize("qid", quiz.ids())
def test_every_question_has_a_computed_answer(qid):
    q = quiz.get(qid)
    a = q.answer
    if q.choices:
        assert a in q.choices
    else:
        assert isinstance(a, int) and not isinstance(a, bool)
    assert q.check(a)
    assert q.hints, f"{qid} has no hint"
    assert q.notebook in NOTEBOOK_NUMBERS, f"{qid}: no notebook {q.notebook:02d}-*.ipynb"


@pytest.mark.parametrize("qid", quiz.ids())
def test_wrong_answers_are_rejected(qid):
    q = quiz.get(qid)
    if q.choices:
        for c in q.choices:
            assert q.check(c) == (c == q.answer)
        assert q.check(q.choices.index(q.answer))  # by index, too
    else:
        assert not q.check(q.answer + 1)
        assert q.check(str(q.answer))
        assert not q.check("lots")


def test_every_notebook_has_questions():
    assert NOTEBOOK_NUMBERS >= set(range(1, 10))
    for n in NOTEBOOK_NUMBERS:
        assert quiz.ids(n), n


def test_answers_follow_the_model_not_a_table():
    """Change the program and the answer changes: nothing is hard-coded."""
    for times in (3, 17):
        q = quiz.Quiz("pool?", "gilref_loop", quiz.pool_size("after_loop"), pyo3="0.20",
                      patch=quiz._times(times))
        assert q.answer == times
    q = quiz.Quiz("pool?", "gilref_loop", quiz.pool_size("after_loop"), pyo3="0.21")
    assert q.answer == len(bound_demo.scenarios.run("gilref_loop", "0.21").at("after_loop").threads["main"].owned)


def test_readers():
    prog = bound_demo.format.builder.Program()
    with prog.attach() as py:
        a = py.new_bound("a")
        a.clone("b")
        py.probe("p")
    t = bound_demo.run(prog, pyo3="0.29")
    assert quiz.refcount("p", "o1")(t) == 2
    assert quiz.alive("p", "o1")(t) == "yes"
    assert quiz.gil_count("p")(t) == 1
    assert quiz.pool_size("p")(t) == 0
    assert quiz.pending_decrefs("p")(t) == 0
    assert quiz.pending_increfs("p")(t) == 0
    assert quiz.outcome(t) == quiz.OUTCOMES[None]


def test_several_runs():
    q = quiz.get("nested-drain")
    assert len(q.traces) == 5
    assert q.answer == sum(1 for t in q.traces if not t.at("nested").pending_decrefs)


def test_choices_must_contain_the_answer():
    q = quiz.Quiz("?", "gilref_loop", quiz.alive("after_loop", "o1"), pyo3="0.20",
                  choices=["maybe", "never"])
    with pytest.raises(ValueError, match="not one of its choices"):
        q.answer


def test_unknown_question():
    with pytest.raises(KeyError, match="known"):
        quiz.get("no-such-question")


def test_static_html_hides_the_answer_in_a_reveal():
    q = quiz.get("loop-pool")
    markup = quiz.ask("loop-pool", static=True)._repr_html_()
    assert markup == q.static_html()
    reveal = markup.index("<summary>Reveal the answer</summary>")
    before, after = markup[:reveal], markup[reveal:]
    assert f"<b>Answer:</b> {q.answer}" in after
    assert "<b>Answer:</b>" not in before
    assert "<details><summary>Hint" in before  # hints collapsed
    assert markup.count("<details>") == markup.count("</details>")
    assert "step by step" in after


def test_static_choices_are_lettered():
    q = quiz.get("clone-022")
    markup = q.static_html()
    assert "<ol type='A'>" in markup
    letter = "ABCDEFGH"[q.choices.index(q.answer)]
    assert f"<b>Answer:</b> {letter}." in markup


def test_static_when_asked_by_the_environment(monkeypatch):
    monkeypatch.setenv("BOUND_DEMO_STATIC", "1")
    assert quiz._static_wanted()
    shown = quiz.ask("rc-list-append")
    assert "Reveal the answer" in shown._repr_html_()


def test_static_outside_a_kernel(monkeypatch):
    monkeypatch.delenv("BOUND_DEMO_STATIC", raising=False)
    assert quiz._static_wanted()  # pytest is no Jupyter kernel


def test_prompt_markup_is_escaped():
    q = quiz.Quiz("<script>x</script> and `code`", "gilref_loop", quiz.pool_size("after_loop"),
                  pyo3="0.20")
    markup = q.static_html()
    assert "<script>" not in markup and "<code>code</code>" in markup


# ---- the widget -----------------------------------------------------------------------------

@pytest.fixture
def widget():
    pytest.importorskip("ipywidgets")

    def make(qid):
        return quiz.ask(qid, static=False)
    return make


def test_widget_number_flow(widget):
    w = widget("loop-pool")
    q = quiz.get("loop-pool")
    assert w.reveal_button.disabled
    w.on_reveal()
    assert w.reveal_box.value == ""  # no reveal before an attempt
    w.on_check()
    assert "prediction first" in w.feedback.value and w.reveal_button.disabled
    w.input.value = str(q.answer + 5)
    w.on_check()
    assert "Not quite (too high)" in w.feedback.value
    assert not w.reveal_button.disabled
    w.on_reveal()
    assert f"<b>Answer:</b> {q.answer}" in w.reveal_box.value
    w.input.value = str(q.answer)
    w.on_check()
    assert "Right." in w.feedback.value


def test_widget_choice_and_hints(widget):
    w = widget("race-020")
    q = quiz.get("race-020")
    assert w.input.options == tuple(q.choices)
    assert w.hint_box.value == ""
    w.on_hint()
    assert q.hints[0][:20] in html.unescape(w.hint_box.value)
    for _ in q.hints:
        w.on_hint()
    assert w.hint_button.disabled
    w.input.value = q.answer
    w.on_check()
    assert "Right." in w.feedback.value


def test_widget_output_carries_the_static_fallback(widget):
    w = widget("bound-clones")
    bundle = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "Reveal the answer" in bundle["text/html"]
