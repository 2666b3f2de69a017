"""The compile harness ran, every snippet and probe kept its promise, and the pages use them all.

scripts/compile-examples.sh (a build stage of scripts/test.sh) runs tools/rustcheck before
pytest and leaves .build/rustcheck/report.json. Without cargo the stage skips loudly, except in
CI, where the report records the skip and this test fails.
"""

from __future__ import annotations

import json
import re

import pytest

from tools.rustcheck import manifests, timeline
from tools.rustcheck.snippets import EXAMPLES, ROOT, discover

from sitekit import in_ci

REPORT = ROOT / ".build" / "rustcheck" / "report.json"


@pytest.fixture(scope="module")
def report() -> dict:
    if not REPORT.exists():
        if in_ci():
            pytest.fail("no harness report: scripts/compile-examples.sh did not run")
        pytest.skip("LOUD SKIP: run scripts/compile-examples.sh (or make test) to compile the Rust examples")
    data = json.loads(REPORT.read_text())
    if data.get("skipped"):
        if in_ci():
            pytest.fail(f"the compile harness was skipped in CI: {data['skipped']}")
        pytest.skip(f"LOUD SKIP: compile harness skipped: {data['skipped']}")
    return data


def test_every_snippet_and_probe_as_promised(report):
    bad = [f"{s['file']} ({s['release']}): {s['problems']}" for s in report["snippets"] if not s["ok"]]
    assert not bad, "\n".join(bad)


def test_report_covers_every_current_snippet_and_probe(report):
    """A stale report (written before a snippet was added) must not pass for a fresh one."""
    checked = {(s["file"], s["release"]) for s in report["snippets"]}
    wanted = {(s.rel, s.release) for s in discover() + timeline.probes()}
    wanted |= {(c.rel, "cargo") for c in manifests.discover()}
    assert wanted <= checked, f"not compiled in the last run: {sorted(wanted - checked)}"


def test_every_example_file_is_shown_somewhere():
    """An example no page includes is dead weight that still costs compile time."""
    docs = "\n".join(p.read_text() for p in (ROOT / "docs").rglob("*.md"))
    included = set(re.findall(r'--8<--\s+"(examples/rust/[^":]+)', docs))
    unused = [p.relative_to(ROOT).as_posix() for p in sorted(EXAMPLES.rglob("*.rs"))
              if p.relative_to(ROOT).as_posix() not in included
              and p.with_suffix(".stderr").relative_to(ROOT).as_posix() not in included]
    assert not unused, f"examples no page shows: {unused}"


def test_every_release_line_is_compiled(report):
    releases = {s["release"] for s in report["snippets"]}
    for line in ["0.20", "0.21", "0.22", "0.23", "0.24", "0.25", "0.26", "0.27", "0.28", "0.29", "0.30"]:
        assert any(r.startswith(line + ".") for r in releases), f"nothing compiled against {line}"
