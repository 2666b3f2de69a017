"""Page prose quotes the API timeline instead of writing release dates by hand.

A sentence such as "deprecated in 0.26" drifts when a date is corrected in
docs/data/api-timeline.yml, where rustc checks it; `{{ api("...") }}` cannot. This scans the
pages and the notebooks' text for hand-written "deprecated/removed/added/renamed/gone in 0.x"
outside code and fails on any that is not listed below with the reason no timeline row can
carry it.
"""

from __future__ import annotations

import json
import re

import sitekit  # noqa: F401  (puts the repository root on sys.path)

from tools.rustcheck.snippets import ROOT

LITERAL = re.compile(r"\b(?:deprecated|removed|added|renamed|gone|introduced) (?:in|since) \[?0\.\d+")
CODE = re.compile(r"```.*?```|`[^`\n]+`", re.S)

# Where a date stays literal, and why the timeline cannot hold it.
ALLOWED = {
    # Behaviours, not APIs: from 0.24 the same Rust compiles with a different Python-side
    # meaning (a required argument; no integer comparison), so no compile probe can pin the
    # removal, and a timeline row would print a date rustc never checked.
    "migration/0.22.md": 1,
    "migration/0.24.md": 3,
    # Observations of the witness builds, by patch release: what was measured, not a date to quote.
    "witness-findings.md": 2,
    # Notebook 2 (its text is not rendered through the page hooks) dates `with_pool` (0.19.1,
    # before the timeline starts) and the GIL-Ref pool APIs in words.
    "02-gil-refs-and-the-pool.ipynb": 2,
}


def _texts():
    for page in sorted((ROOT / "docs").rglob("*.md")):
        yield page.relative_to(ROOT / "docs").as_posix(), page.read_text(encoding="utf-8")
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        yield nb.name, "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def _literal_dates(text):
    prose = CODE.sub("", text)
    return [m.group(0) for m in LITERAL.finditer(prose)]


def test_prose_dates_of_apis_come_from_the_timeline():
    found = {name: hits for name, text in _texts() if (hits := _literal_dates(text))}
    unexplained = {name: hits for name, hits in found.items() if len(hits) != ALLOWED.get(name, 0)}
    assert unexplained == {}, (
        "write {{ api(\"NAME\") }} (docs/hooks/generated.py) instead of a release date, adding the "
        f"API to docs/data/api-timeline.yml if it is missing: {unexplained}")


def test_the_scan_sees_a_literal_date_and_skips_code_and_the_macro():
    assert _literal_dates("`with_gil` was deprecated in 0.26.") == ["deprecated in 0.26"]
    assert _literal_dates('It is {{ api("Python::with_gil") }}; `removed in 0.28` is code.') == []
