"""Notebook 8's questions give the values real PyO3 gave (docs/design/pyclass-gc.md).

The answers are computed by the model; this pins them to what the witness measured on
PyO3 0.20.3 - 0.30.1, so a model change that moved them would be caught here as well as in
the differential tests.
"""
from __future__ import annotations

import pytest

from bound_demo import quiz

MEASURED = {
    "gc-plain-pair": 0,          # no __traverse__: the pair is never found, nothing freed
    "gc-trav-pair": 2,           # __traverse__ + __clear__: both freed
    "gc-travonly-returned": 2,   # __traverse__ only: found and counted...
    "gc-travonly-second": 0,     # ...and never freed, by any later collection
    "gc-travonly-list": 2,       # the list's clear frees the node and the list
    "ex-gc-by-hand": 0,          # broken by hand: refcounting freed both, nothing to find
}


def test_notebook_8_asks_exactly_these():
    assert sorted(quiz.ids(8)) == sorted(MEASURED)


@pytest.mark.parametrize("qid", sorted(MEASURED))
def test_answer_is_the_measured_value(qid):
    assert quiz.get(qid).answer == MEASURED[qid]


@pytest.mark.parametrize("release", ["0.29", "0.30"])
def test_travonly_pair_found_both_times_on_either_release(release):
    q = quiz.Quiz("second collection", quiz.get("gc-travonly-second").program,
                  quiz.gc_found("again"), pyo3=release)
    assert q.answer == 2
