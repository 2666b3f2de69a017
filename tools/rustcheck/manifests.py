"""Cargo's own refusals: dependency graphs that fail before rustc ever runs.

Some migration pain is a resolver error, not a compiler message: a binding library that still
asks PyO3 for a removed feature, or that is not yet released for the PyO3 an application wants.
Each case under examples/cargo/<case>/ is a tiny workspace whose Cargo.toml starts with

    # @expect cargo-error: <text>

The harness asks Cargo to resolve it (`cargo metadata`, no build) and checks that resolution
fails with <text>; Cargo's message is pinned next to the case as <case>.stderr, like rustc's.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .cargo import cargo_env, normalise
from .snippets import ROOT

CASES = ROOT / "examples" / "cargo"
_EXPECT = re.compile(r"^#\s*@expect\s+cargo-error:\s*(.+)$", re.M)
_PROGRESS = re.compile(r"^\s*(Updating|Downloading|Downloaded|Locking|Adding)\b.*\n", re.M)


@dataclass
class Case:
    path: Path  # the case directory
    text: str

    @property
    def rel(self) -> str:
        return self.path.relative_to(ROOT).as_posix()

    @property
    def stderr_path(self) -> Path:
        return self.path.with_suffix(".stderr")


def discover() -> list[Case]:
    cases = []
    for manifest in sorted(CASES.glob("*/Cargo.toml")):
        m = _EXPECT.search(manifest.read_text())
        if m is None:
            raise ValueError(f"{manifest}: needs a '# @expect cargo-error: <text>' line")
        cases.append(Case(manifest.parent, m.group(1).strip()))
    return cases


def check(case: Case) -> tuple[list[str], str]:
    """Resolve the case; return (problems, Cargo's normalised message)."""
    proc = subprocess.run(["cargo", "metadata", "--format-version", "1", "--quiet"],
                          cwd=case.path, env=cargo_env(), capture_output=True, text=True)
    message = normalise(_PROGRESS.sub("", proc.stderr))
    problems = []
    if proc.returncode == 0:
        problems.append("Cargo resolved the graph, but it was expected to refuse")
    elif case.text not in message:
        problems.append(f"Cargo's message does not contain {case.text!r}")
    return problems, message
