"""Finding the Rust snippets the site shows, and reading what each one promises.

Every Rust block on the site is included from a file under ``examples/rust/``. The file starts
with a few header comments that say which PyO3 release it is written against and what the
compiler must make of it; the part the page shows sits between ``--8<-- [start:NAME]`` and
``--8<-- [end:NAME]`` markers, so imports and scaffolding can stay compiled but out of sight.

Header lines (before the first line of code)::

    // @pyo3 0.21.2 +gil-refs          release (and Cargo features) the snippet is checked against
    // @python 3.13                     optional: check against this CPython version's API, for
                                        items PyO3 only offers from it on (`PyMutex` needs 3.13)
    // @expect pass                     compiles with #![deny(warnings)]
    // @expect deprecated: <text>       compiles, and every warning is a deprecation; <text> is in one
    // @expect error E0599: <text>      fails, with that error code and <text> in the same message
    // @expect error: <text>            fails with <text> (for the few errors rustc gives no code)

``deprecated`` and ``error`` lines may repeat; each must be matched.

A ``@python`` snippet goes to its own check crate (``v0.30.1-py3.13``), whose committed
``pyo3-config.txt`` tells PyO3's build script which interpreter to assume (``PYO3_CONFIG_FILE``),
so no such Python needs to be installed: ``cargo check`` never links against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "rust"
CRATES = Path(__file__).resolve().parent / "crates"

_PYO3 = re.compile(r"^//\s*@pyo3\s+(\d+\.\d+\.\d+)((?:\s+\+[\w-]+)*)\s*$")
_PYTHON = re.compile(r"^//\s*@python\s+(3\.\d+)\s*$")
_EXPECT = re.compile(r"^//\s*@expect\s+(pass|deprecated|error)(?:\s+(E\d{4}))?\s*(?::\s*(.+))?$")


@dataclass(frozen=True)
class Expectation:
    kind: str  # "pass", "deprecated" or "error"
    code: str | None = None  # rustc error code, for "error"
    text: str | None = None  # must appear in one message of that kind


@dataclass
class Snippet:
    path: Path  # absolute
    release: str  # "0.21.2"
    features: tuple[str, ...]
    expectations: list[Expectation] = field(default_factory=list)
    # Probes come from the API timeline, not from a file a page includes; their source lives here.
    source: str | None = None
    label: str | None = None
    python: str | None = None  # "3.13": the CPython API the crate assumes; None: the venv's


    @property
    def profile(self) -> str:
        """Name of the check crate (directory under tools/rustcheck/crates/)."""
        python = f"-py{self.python}" if self.python else ""
        return "v" + self.release + "".join("-" + f for f in self.features) + python

    @property
    def build(self) -> str:
        """The release and features as the site's badges name them: "0.21.2 + gil-refs"."""
        python = f" (Python {self.python})" if self.python else ""
        return self.release + "".join(f" + {f}" for f in self.features) + python

    @property
    def kind(self) -> str:
        kinds = {e.kind for e in self.expectations}
        if len(kinds) != 1:
            raise ValueError(f"{self.rel}: mixes expectation kinds {sorted(kinds)}")
        return kinds.pop()

    @property
    def rel(self) -> str:
        return self.label or self.path.relative_to(ROOT).as_posix()

    @property
    def target(self) -> str:
        """Cargo target name: unique, and a valid Rust identifier."""
        stem = self.rel.removeprefix("examples/rust/").removesuffix(".rs")
        return "s_" + re.sub(r"[\W_]+", "_", stem).strip("_").lower()

    @property
    def stderr_path(self) -> Path:
        return self.path.with_suffix(".stderr")


def parse(path: Path) -> Snippet:
    release = None
    features: tuple[str, ...] = ()
    python = None
    expectations: list[Expectation] = []
    for line in path.read_text().splitlines():
        if not line.startswith("//"):
            break  # the header ends at the first line of code or a blank line
        if m := _PYO3.match(line):
            release = m.group(1)
            features = tuple(f.lstrip("+") for f in m.group(2).split())
        elif m := _PYTHON.match(line):
            python = m.group(1)
        elif m := _EXPECT.match(line):
            kind, code, text = m.groups()
            if kind == "error" and not text:
                # The code may be absent: rustc gives borrow-check lifetime errors none.
                raise ValueError(f"{path}: '@expect error' needs a text: {line!r}")
            if kind == "deprecated" and not text:
                raise ValueError(f"{path}: '@expect deprecated' needs a text: {line!r}")
            expectations.append(Expectation(kind, code, text))
        elif line.lstrip("/ ").startswith("@"):
            raise ValueError(f"{path}: unknown header line {line!r}")
    if release is None or not expectations:
        raise ValueError(f"{path}: needs '// @pyo3 X.Y.Z' and at least one '// @expect' line")
    snippet = Snippet(path, release, features, expectations, python=python)
    if not (CRATES / snippet.profile).is_dir():
        raise ValueError(f"{path}: no check crate tools/rustcheck/crates/{snippet.profile}")
    snippet.kind  # reject mixed kinds early
    return snippet


def discover() -> list[Snippet]:
    return [parse(p) for p in sorted(EXAMPLES.rglob("*.rs"))]


def profiles() -> list[str]:
    """Every check crate, oldest release first."""
    def key(name: str):
        nums = re.match(r"v(\d+)\.(\d+)\.(\d+)", name).groups()
        return tuple(int(n) for n in nums), name

    return sorted((p.name for p in CRATES.iterdir() if (p / "Cargo.toml").is_file()), key=key)
