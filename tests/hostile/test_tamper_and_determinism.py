"""Tampered traces (issue 16, item 3) and reproducible output (item 5).

A trace file is input like any other: random mutations of valid traces are either refused
by `Trace.from_json` with a `ValueError`, or every view of them (step table, Graphviz source,
HTML player) carries no markup or terminal control of the attacker's."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import bound_demo
from bound_demo import Trace
from bound_demo.views.frame import draw_step
from bound_demo.views.player import player_html

from .hostilekit import cli

MARKS = ('<script>alert(1)</script>', '"><img src=x onerror=alert(1)>',
         'x" URL="javascript:alert(1)', '\x1b[2J\x07', "]; evil [URL=\"javascript:1\"")
# What must never appear raw in an output, whichever mark was planted.
RAW = ("<script>alert", "<img src=x", 'URL="javascript', "\x1b[2J", "\x07")


def _base():
    t = bound_demo.run(bound_demo.scenarios.get("py_dropped_on_thread"), pyo3="0.22")
    d = json.loads(t.to_json())
    d["steps"] = d["steps"][:4]
    d["labels"] = {k: v for k, v in d["labels"].items() if v < 4}
    return d


BASE = _base()


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, path + (i,))


PATHS = [p for p in _paths(BASE) if p and p[0] != "program"]
VALUES = st.one_of(st.sampled_from(MARKS), st.integers(-5, 10**6), st.none(), st.booleans(),
                   st.text(max_size=8), st.lists(st.sampled_from(MARKS), max_size=2),
                   st.dictionaries(st.sampled_from(MARKS), st.sampled_from(MARKS), max_size=1))


def _mutate(d, path, value, how):
    parent = d
    for k in path[:-1]:
        parent = parent[k]
    last = path[-1]
    if how == "delete" and isinstance(parent, dict):
        del parent[last]
    elif how == "rename" and isinstance(parent, dict):
        parent[str(value)] = parent.pop(last)
    else:
        parent[last] = value


CONTROLS = ("\x1b[2J", "\x07")


def _views(t):
    """Everything a trace is shown as, with what must not appear raw in it: a step table is
    plain text (markup is harmless there, terminal controls are not)."""
    yield t.table(), CONTROLS
    for s in t.steps:
        yield draw_step(s, trace=t, caption=True).source, RAW
    yield player_html(t, title="t"), RAW


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), VALUES, st.sampled_from(["set", "delete", "rename"]))
def test_tampered_trace_is_refused_or_shown_escaped(path, value, how):
    d = copy.deepcopy(BASE)
    _mutate(d, path, value, how)
    try:
        t = Trace.from_json(json.dumps(d))
    except ValueError:
        return
    for text, forbidden in _views(t):
        for raw in forbidden:
            assert raw not in text, (path, value, how, raw)


def test_gil_count_string_is_refused():
    d = copy.deepcopy(BASE)
    d["steps"][1]["state"]["threads"]["main"]["gil_count"] = 'x" URL="javascript:alert(1)'
    with pytest.raises(ValueError, match=r"steps\[1\]\.state\.threads\.main\.gil_count: expected a whole number"):
        Trace.from_json(json.dumps(d))


@pytest.mark.parametrize("bad", [b"null", [1, 2], None, 5, b"\xff\xfe", "[]",
                                 '{"format": "bound_demo.trace/1", "format": "x"}'])
def test_from_json_of_the_wrong_kind_of_value_is_a_value_error(bad):
    with pytest.raises(ValueError):
        Trace.from_json(bad)


def test_from_json_accepts_bytes_and_keeps_every_attribute():
    text = json.dumps(BASE)
    t = Trace.from_json(text.encode("utf-8"))
    assert len(t.steps) == 4 and t.to_dict()["steps"][3] == BASE["steps"][3]


def test_same_input_gives_the_same_bytes(tmp_path):
    outs = []
    for k in range(2):
        html, svg = tmp_path / f"{k}.html", tmp_path / f"svg{k}"
        for args in (("--html", html), ("--svg", svg)):
            r = cli("render", "dealloc_drains_pool", *args, "--quiet")
            assert r.returncode == 0, r.stderr
        outs.append((html.read_bytes(), [p.read_bytes() for p in sorted(svg.iterdir())]))
    assert outs[0][0] == outs[1][0]
    assert len(outs[0][1]) == 25 and outs[0][1] == outs[1][1]
    assert b"bd-" in outs[0][0]
