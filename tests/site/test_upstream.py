"""`make upstream` (tools/rustcheck/upstream.py) without the network: what it says is missing."""

from __future__ import annotations

import sitekit  # noqa: F401  (puts the repository root on sys.path)

from tools.rustcheck import upstream


def test_a_new_release_is_reported_part_by_part():
    parts = {"model": [(0, 29, 3)], "witness": [(0, 29, 3)], "compile crate": [(0, 29, 3), (0, 30, 1)],
             "compile-fail": [(0, 30, 1)], "page": [(0, 29, 0), (0, 30, 0)]}
    out = upstream.report([(0, 29, 3), (0, 30, 0), (0, 30, 1)], parts)
    text = "\n".join(out)
    assert "pyo3 0.30.1 is missing from:" in text
    assert "- model:" in text and "- witness: witness/pyo3_030*/ crates pinned to =0.30.1" in text
    assert "- compile crate" not in text.split("0.30.1 is missing")[1]
    assert "- page" not in text


def test_a_patch_release_needs_new_pins_but_no_new_page():
    parts = {"model": [(0, 30, 1)], "witness": [(0, 30, 1)], "compile crate": [(0, 30, 1)],
             "compile-fail": [(0, 30, 1)], "page": [(0, 30, 0)]}
    text = "\n".join(upstream.report([(0, 30, 1), (0, 30, 2)], parts))
    assert "pyo3 0.30.2 is missing from:" in text
    assert "- page" not in text and "- compile crate: tools/rustcheck/crates/v0.30.2/" in text


def test_nothing_missing_says_so():
    parts = {"model": [(0, 30, 1)], "page": [(0, 30, 0)]}
    assert upstream.report([(0, 30, 1)], parts)[-1].startswith("Nothing missing")


def test_the_repository_pins_what_it_claims():
    parts = upstream.covered()
    assert (0, 30, 1) in parts["compile crate"] and (0, 30, 1) in parts["compile-fail"]
    assert (0, 30, 0) in parts["page"]
