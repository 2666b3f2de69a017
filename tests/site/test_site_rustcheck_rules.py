"""The harness's own rules, without cargo: header parsing, verdicts, and timeline boundaries."""

from __future__ import annotations

import sitekit  # noqa: F401  (puts the repository root on sys.path)
import pytest

from tools.rustcheck import timeline
from tools.rustcheck.cargo import Message, judge, normalise
from tools.rustcheck.snippets import ROOT, Expectation, Snippet, parse


def _snippet(*expectations: Expectation) -> Snippet:
    return Snippet(ROOT / "examples" / "rust" / "x.rs", "0.21.2", (), list(expectations))


DEPRECATION = Message("warning", "deprecated", "use of deprecated struct `pyo3::PyCell`: merged", "")
UNUSED = Message("warning", "unused_must_use", "unused `Result` that must be used", "")
E0599 = Message("error", "E0599", "no method named `clone` found for struct `Py<T>`", "")


def test_pass_rejects_any_message():
    assert judge(_snippet(Expectation("pass")), []) == []
    assert judge(_snippet(Expectation("pass")), [DEPRECATION])


def test_deprecated_needs_the_text_and_nothing_but_deprecations():
    want = _snippet(Expectation("deprecated", None, "PyCell"))
    assert judge(want, [DEPRECATION]) == []
    assert judge(want, []), "a deprecation snippet that no longer warns must fail"
    assert judge(want, [DEPRECATION, UNUSED]), "other warnings must fail"
    assert judge(_snippet(Expectation("deprecated", None, "GILPool")), [DEPRECATION])


def test_error_needs_code_and_text_in_one_message():
    assert judge(_snippet(Expectation("error", "E0599", "`clone`")), [E0599]) == []
    assert judge(_snippet(Expectation("error", "E0308", "`clone`")), [E0599])
    assert judge(_snippet(Expectation("error", "E0599", "with_gil")), [E0599])
    assert judge(_snippet(Expectation("error", "E0599", "`clone`")), []), "compiling must fail it"


def test_header_is_required(tmp_path):
    bad = tmp_path / "bad.rs"
    bad.write_text("use pyo3::prelude::*;\n")
    with pytest.raises(ValueError, match="@pyo3"):
        parse(bad)
    bad.write_text("// @pyo3 0.21.2\n// @expect error E0599\n")
    with pytest.raises(ValueError, match="needs a text"):
        parse(bad)


def test_normalise_removes_machine_paths():
    text = (f"--> {ROOT}/examples/rust/a.rs:1:1\n"
            "--> /home/u/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/pyo3-0.21.2/src/x.rs:2:2")
    out = normalise(text)
    assert str(ROOT) not in out and "/home/u" not in out
    assert "examples/rust/a.rs" in out and "$CARGO_REGISTRY/pyo3-0.21.2/src/x.rs" in out


def test_timeline_checks_both_sides_of_every_date():
    entry = {"api": "Python::with_gil", "deprecated": "0.26", "removed": "0.28", "probe": "x"}
    verdicts = {p.release: p.kind for p in timeline.probes([entry])}
    assert verdicts == {"0.25.1": "pass", "0.26.0": "deprecated", "0.27.2": "deprecated", "0.28.3": "error"}
    gated = {"api": "PyCell", "deprecated": "0.21", "gated": "0.22", "gate": "gil-refs",
             "removed": "0.23", "probe": "x"}
    verdicts = {p.release: p.kind for p in timeline.probes([gated])}
    assert verdicts == {"0.20.3": "pass", "0.21.2": "deprecated", "0.22.6": "error", "0.23.5": "error"}
