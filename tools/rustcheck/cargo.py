"""Building one check crate per PyO3 release and reading what rustc said about each snippet.

Layout under .build/rustcheck/<profile>/ (all generated, nothing committed):

- ``Cargo.toml``: the committed template plus one ``[[example]]`` per snippet, each a ``lib``
  crate. Examples are independent of each other, so with ``--keep-going`` one failing snippet
  (wanted or not) never hides what the compiler says about another. Every snippet that should
  compile cleanly shares one example (one module each), which keeps the per-target overhead of
  loading PyO3's metadata to a single time per release.
- ``Cargo.lock``: copied from the committed one; ``--locked`` refuses to change it.

All crates share one target directory (.build/target-docs), so a dependency version that two
releases have in common is compiled once.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from .snippets import CRATES, ROOT, Snippet

BUILD = ROOT / ".build" / "rustcheck"
TARGET = ROOT / ".build" / "target-docs"
# A check crate for another CPython than the venv's carries this file (see snippets.py).
PYO3_CONFIG = "pyo3-config.txt"
TOOLCHAIN = "1.95.0"  # compiler messages are pinned below, so the compiler is pinned too

# Crate-level lints for every snippet. Warnings are errors; the allowed lints are the ones a
# teaching excerpt trips by design (an unused binding that names a value, a helper nobody calls).
PRELUDE = """#![deny(warnings)]
#![allow(dead_code, unused_variables, unused_imports, unused_mut)]
"""
# A deprecation snippet exists to show the warning, so warnings stay warnings there (a
# `deny(warnings)` would turn the deprecation into an error whatever else is said); judge()
# then rejects every warning that is not a deprecation. A compile-fail snippet shows what a
# user's compiler prints, where warnings are warnings too.
UNDENIED_PRELUDE = PRELUDE.replace("#![deny(warnings)]\n", "")


@dataclass
class Message:
    level: str  # "error" or "warning"
    code: str | None
    message: str
    rendered: str


@dataclass
class Outcome:
    snippet: Snippet
    messages: list[Message] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _module(snippet: Snippet) -> str:
    """A `#[path]` module declaration that compiles the snippet file in place (spans stay true)."""
    if snippet.source is not None:
        snippet.path.parent.mkdir(parents=True, exist_ok=True)
        snippet.path.write_text(snippet.source)
    name = "m_" + snippet.target
    return f'#[path = "{snippet.path}"]\npub mod {name};\n'


def prepare(profile: str, snippets: list[Snippet]) -> tuple[Path, dict[str, list[Snippet]]]:
    """Write the crate for one release; return its directory and the snippets of each target."""
    crate = BUILD / profile
    (crate / "src").mkdir(parents=True, exist_ok=True)
    (crate / "examples").mkdir(exist_ok=True)
    for stale in (crate / "examples").glob("*.rs"):
        stale.unlink()
    template = CRATES / profile
    if (template / "Cargo.lock").exists():  # absent only while --lock creates it
        shutil.copyfile(template / "Cargo.lock", crate / "Cargo.lock")
    (crate / "src" / "lib.rs").write_text("//! Empty: every snippet is an example target.\n")
    (crate / "rust-toolchain.toml").write_text(f'[toolchain]\nchannel = "{TOOLCHAIN}"\n')
    if (template / PYO3_CONFIG).exists():
        shutil.copyfile(template / PYO3_CONFIG, crate / PYO3_CONFIG)

    targets: dict[str, list[Snippet]] = {}
    for s in snippets:
        targets.setdefault("pass" if s.kind == "pass" else s.target, []).append(s)
    manifest = (template / "Cargo.toml").read_text()
    for name, group in targets.items():
        prelude = PRELUDE if group[0].kind == "pass" else UNDENIED_PRELUDE
        body = prelude + "".join(_module(s) for s in group)
        (crate / "examples" / f"{name}.rs").write_text(body)
        manifest += f'\n[[example]]\nname = "{name}"\npath = "examples/{name}.rs"\ncrate-type = ["lib"]\n'
    (crate / "Cargo.toml").write_text(manifest)
    return crate, targets


def cargo_env(crate: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("PYO3_PYTHON", str(ROOT / ".venv" / "bin" / "python"))
    env["CARGO_TARGET_DIR"] = str(TARGET)
    config = crate / PYO3_CONFIG if crate is not None else None
    if config is not None and config.exists():
        # PyO3 built for another CPython gets its own target directory: sharing one would make
        # cargo rebuild PyO3 every time the harness switched between the two configurations.
        env["PYO3_CONFIG_FILE"] = str(config)
        env["CARGO_TARGET_DIR"] = str(TARGET) + "-" + crate.name.rsplit("-", 1)[-1]
    env["CARGO_TERM_COLOR"] = "never"
    return env


def run(crate: Path, jobs: int) -> tuple[list[dict], str, float]:
    """`cargo check` every target of one crate; return the JSON messages, stderr and seconds."""
    cmd = ["cargo", "check", "--examples", "--keep-going", "--locked", "--message-format=json",
           "-j", str(jobs)]
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=crate, env=cargo_env(crate), capture_output=True, text=True)
    seconds = time.monotonic() - start
    records = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return records, proc.stderr, seconds


_REGISTRY = re.compile(r"\S*?/registry/src/[^/\s]+/")
_RUSTLIB = re.compile(r"\S*?/lib/rustlib/src/rust/")


# rustc shortens a type whose name is long, and the name holds the checkout's absolute path, so
# whether it does depends on where the repository lives. When it does, it names a file it wrote
# the long type into (a path with a hash of this build) and points at `--verbose`: machine
# noise, not part of the diagnostic. A closure's type is one such name (where it is written):
# it is always shortened here, to the form rustc gives a long one (file name, line, column).
_CLOSURE = re.compile(r"\{closure@(?:[^{}:\s]*/)?([^/{}:\s]+):(\d+:\d+)(?:: \d+:\d+)?\}")
_LONG_TYPE = re.compile(r"^ *= note: (?:the full name for the type has been written to '[^'\n]*'"
                        r"|consider using `--verbose` to print the full type name to the console)\n",
                        re.M)


def normalise(rendered: str) -> str:
    """Make compiler output independent of the machine: repository-relative and $-named paths,
    and the same whether or not rustc shortened a long type name."""
    text = rendered.replace(str(ROOT) + "/", "")
    text = _REGISTRY.sub("$CARGO_REGISTRY/", text)
    text = _RUSTLIB.sub("$RUST/", text)
    text = _CLOSURE.sub(r"{closure@\1:\2}", _LONG_TYPE.sub("", text))
    return text.rstrip() + "\n"


def messages_by_target(records: list[dict], package_name: str) -> dict[str, list[Message]]:
    """Compiler messages of our own targets, keyed by target name (dependencies are ignored)."""
    out: dict[str, list[Message]] = {}
    for rec in records:
        if rec.get("reason") != "compiler-message":
            continue
        if not _ours(rec, package_name):
            continue
        msg = rec["message"]
        if not msg.get("spans"):
            continue  # "aborting due to ..." and "N warnings emitted" summaries
        code = (msg.get("code") or {}).get("code")
        out.setdefault(rec["target"]["name"], []).append(
            Message(msg["level"], code, msg["message"], normalise(msg["rendered"])))
    return out


def compiled_targets(records: list[dict], package_name: str) -> set[str]:
    """Our targets that cargo reports as checked successfully (a "compiler-artifact")."""
    return {rec["target"]["name"] for rec in records
            if rec.get("reason") == "compiler-artifact" and _ours(rec, package_name)}


def _ours(rec: dict, package_name: str) -> bool:
    return f"#{package_name}@" in rec["package_id"] or f"/{package_name}#" in rec["package_id"]


def judge(snippet: Snippet, messages: list[Message]) -> list[str]:
    """Compare what rustc said about one snippet with what its header promised; return the
    mismatches. `messages` are that snippet's own (the caller sorts a shared target's out)."""
    problems = []
    errors = [m for m in messages if m.level == "error"]
    warnings = [m for m in messages if m.level == "warning"]
    kind = snippet.kind
    if kind == "pass":
        problems += [f"unexpected {m.level}: {m.message}" for m in messages]
    elif kind == "deprecated":
        problems += [f"unexpected error: {m.message}" for m in errors]
        problems += [f"warning that is not a deprecation: {m.message}" for m in warnings if m.code != "deprecated"]
        for e in snippet.expectations:
            if not any(e.text in m.message for m in warnings):
                problems.append(f"no deprecation warning containing {e.text!r}")
    else:
        if not errors:
            problems.append("compiled, but was expected to fail")
        for e in snippet.expectations:
            if not any((e.code is None or m.code == e.code) and e.text in m.message + m.rendered for m in errors):
                problems.append(f"no error {e.code or ''} containing {e.text!r}".replace("  ", " "))
    return problems


def pinned_output(messages: list[Message]) -> str:
    """What the site shows for a failing or warning snippet: rustc's own rendering, in order."""
    return "\n".join(m.rendered for m in messages)
