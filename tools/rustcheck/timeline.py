"""Turning the API timeline (docs/data/api-timeline.yml) into compile probes.

Each entry says when an API appeared, was deprecated, was hidden behind a Cargo feature and was
removed. A claim is only worth printing if a compiler agrees, so every entry carries a tiny
``probe`` (a Rust item that uses the API) and this module derives one check per release boundary:

- ``added: X``       the probe fails on the release before X and is accepted on X;
- ``deprecated: X``  the probe is clean on the release before X and warns on X;
- ``gated: X``       from X on, the probe fails unless the opt-in feature is on (we build without it);
- ``removed: X``     the probe still compiles on the release before X and fails on X.

The expected text defaults to the API's last path segment, which rustc names in both its
deprecation warnings and its "not found" errors.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from .snippets import ROOT, Expectation, Snippet, profiles

DATA = ROOT / "docs" / "data" / "api-timeline.yml"


def load(path: Path = DATA) -> list[dict]:
    return yaml.safe_load(path.read_text())["apis"]


def _lines() -> list[str]:
    """Release lines that have a feature-less check crate, oldest first: ["0.20", "0.21", ...]."""
    out = []
    for name in profiles():
        m = re.fullmatch(r"v(\d+\.\d+)\.\d+", name)
        if m:
            out.append(m.group(1))
    return out


def _release(line: str) -> str:
    for name in profiles():
        if re.fullmatch(rf"v{re.escape(line)}\.\d+", name):
            return name[1:]
    raise ValueError(f"no check crate for release line {line}")


def _state(entry: dict, line: str, lines: list[str]) -> str:
    """What the compiler should say about the probe on one release line: pass/deprecated/error."""
    at = lines.index
    if "added" in entry and at(line) < at(entry["added"]):
        return "error"
    if "removed" in entry and at(line) >= at(entry["removed"]):
        return "error"
    if "gated" in entry and at(line) >= at(entry["gated"]):
        return "error"
    if "deprecated" in entry and at(line) >= at(entry["deprecated"]):
        return "deprecated"
    return "pass"


def probes(entries: list[dict] | None = None) -> list[Snippet]:
    entries = load() if entries is None else entries
    lines = _lines()
    out: list[Snippet] = []
    for entry in entries:
        if "probe" not in entry:
            continue
        text = entry.get("probe_text") or re.sub(r"[(<].*$", "", entry["api"]).split("::")[-1]
        # Check each boundary from both sides; the set keeps a release that borders two events once.
        wanted: set[str] = set()
        for key in ("added", "deprecated", "gated", "removed"):
            if key in entry:
                i = lines.index(entry[key])
                wanted.update(lines[max(i - 1, 0): i + 1])
        for line in sorted(wanted, key=lines.index):
            state = _state(entry, line, lines)
            expect = Expectation(state, None, None if state == "pass" else text)
            release = _release(line)
            slug = re.sub(r"\W+", "_", entry["api"]).strip("_").lower()
            out.append(Snippet(
                path=ROOT / ".build" / "rustcheck" / "probes" / f"{slug}_{line.replace('.', '_')}.rs",
                release=release, features=(), expectations=[expect],
                source=entry["probe"], label=f"timeline:{entry['api']}@{release}",
                python=entry.get("python"),
            ))
    return out


# ---- the model's copy of the dates (bound_demo/api_timeline.json) --------------------
MODEL_COPY = ROOT / "bound_demo" / "api_timeline.json"
DATE_KEYS = ("added", "deprecated", "gated", "gate", "removed")


def model_table(entries: list[dict] | None = None) -> dict:
    """What the package keeps of the timeline: each API's dates, nothing else (no probes)."""
    entries = load() if entries is None else entries
    return {"generated_from": "docs/data/api-timeline.yml (python -m tools.rustcheck.timeline --export)",
            "apis": {e["api"]: {k: e[k] for k in DATE_KEYS if k in e} for e in entries}}


def export() -> str:
    return json.dumps(model_table(), indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(prog="python -m tools.rustcheck.timeline")
    ap.add_argument("--export", action="store_true", help=f"rewrite {MODEL_COPY.relative_to(ROOT)}")
    if ap.parse_args().export:
        MODEL_COPY.write_text(export())
        print(f"wrote {MODEL_COPY.relative_to(ROOT)}")
