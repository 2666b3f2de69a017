"""Which PyO3 releases this repository does not cover yet: `make upstream`.

    python -m tools.rustcheck.upstream

Asks the crate registry for every published pyo3 release (the sparse index,
https://index.crates.io/py/o3/pyo3, one JSON record per release; `cargo search pyo3` when the
index cannot be read) and compares the newest ones with what each part of the repository pins:

- model:        the release table, bound_demo/versions.py (`PATCH`: the patch release each line stands for)
- witness:      the real-PyO3 extension crates, witness/pyo3_*/Cargo.toml
- compile crate: the docs' check crates, tools/rustcheck/crates/vX.Y.Z
- compile-fail: witness/compile_fail/pyo3_*/Cargo.toml
- page:         a migration page per release line, docs/migration/X.Y.md

It only informs: whatever it finds (or fails to reach), it exits 0, and the test command never
runs it, because a new upstream release is news, not a defect of this checkout.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INDEX = "https://index.crates.io/py/o3/pyo3"
_PIN = re.compile(r'^pyo3\s*=\s*\{[^}]*version\s*=\s*"=?(\d+\.\d+\.\d+)"', re.M)
_RELEASE = re.compile(r"^\d+\.\d+\.\d+$")  # no pre-releases (0.23.0-alpha.1 and the like)

Version = tuple[int, int, int]


def parse(text: str) -> Version:
    major, minor, patch = (int(n) for n in text.split("."))
    return major, minor, patch


def show(v: Version) -> str:
    return ".".join(map(str, v))


def registry_releases() -> tuple[list[Version], str]:
    """Every non-yanked pyo3 release, oldest first, and where the list came from."""
    try:
        req = urllib.request.Request(INDEX, headers={"User-Agent": "bound_demo make upstream"})
        with urllib.request.urlopen(req, timeout=15) as resp:
            lines = resp.read().decode().splitlines()
        records = [json.loads(line) for line in lines if line.strip()]
        out = [parse(r["vers"]) for r in records if not r.get("yanked") and _RELEASE.match(r["vers"])]
        return sorted(out), INDEX
    except (OSError, ValueError) as exc:
        return _cargo_search(f"the sparse index failed ({exc})")


def _cargo_search(why: str) -> tuple[list[Version], str]:
    """Fallback: `cargo search` names only the newest release."""
    if shutil.which("cargo") is None:
        return [], f"{why}, and cargo is not on PATH"
    proc = subprocess.run(["cargo", "search", "pyo3", "--limit", "1"], capture_output=True, text=True)
    m = re.search(r'^pyo3 = "(\d+\.\d+\.\d+)"', proc.stdout, re.M)
    if m is None:
        return [], f"{why}; `cargo search pyo3` said: {(proc.stderr or proc.stdout).strip()[:200]}"
    return [parse(m.group(1))], f"`cargo search pyo3` ({why}; it names only the newest release)"


def _pins(pattern: str) -> list[Version]:
    found = []
    for manifest in sorted(ROOT.glob(pattern)):
        found += [parse(v) for v in _PIN.findall(manifest.read_text())]
    return found


def covered() -> dict[str, list[Version]]:
    """What each part of the repository pins, by part."""
    sys.path.insert(0, str(ROOT))
    from bound_demo import versions

    crates = [parse(m.group(1)) for p in (ROOT / "tools" / "rustcheck" / "crates").iterdir()
              if (m := re.fullmatch(r"v(\d+\.\d+\.\d+)", p.name))]
    pages = [(0, 20, 0)] + [(0, int(m.group(1)), 0) for p in (ROOT / "docs" / "migration").glob("0.*.md")
                            if (m := re.fullmatch(r"0\.(\d+)\.md", p.name))]
    return {
        "model": [parse(v) for v in versions.PATCH.values()],
        "witness": _pins("witness/pyo3_*/Cargo.toml"),
        "compile crate": crates,
        "compile-fail": _pins("witness/compile_fail/pyo3_*/Cargo.toml"),
        "page": pages,
    }


def has(part: str, pins: list[Version], release: Version) -> bool:
    """Whether one part covers a release: the same line at that patch or later (a page covers
    a whole line)."""
    same_line = [p for p in pins if p[:2] == release[:2]]
    if part == "page":
        return bool(same_line)
    return any(p >= release for p in same_line)


WHERE = {
    "model": "a release line in bound_demo/versions.py (RELEASES, PATCH and the profile's rules)",
    "witness": "witness/pyo3_{line}*/ crates pinned to ={v}",
    "compile crate": "tools/rustcheck/crates/v{v}/ (Cargo.toml + Cargo.lock)",
    "compile-fail": "witness/compile_fail/pyo3_{line}/ pinned to ={v}",
    "page": "docs/migration/{dotted}.md and its mkdocs.yml nav entry",
}


def report(releases: list[Version], parts: dict[str, list[Version]]) -> list[str]:
    newest_here = {part: max(pins) for part, pins in parts.items() if pins}
    oldest_newest = min(newest_here.values())
    out = ["Covered here (newest per part): " +
           ", ".join(f"{part} {show(v) if part != 'page' else show(v)[:-2]}" for part, v in newest_here.items())]
    todo = [r for r in releases if r > oldest_newest and r[:2] >= oldest_newest[:2]]
    missing_any = False
    for release in todo:
        missing = [part for part, pins in parts.items() if not has(part, pins, release)]
        if not missing:
            continue
        missing_any = True
        v = show(release)
        out.append(f"  pyo3 {v} is missing from:")
        for part in missing:
            where = WHERE[part].format(line=f"{release[1]:03d}", v=v, dotted=f"{release[0]}.{release[1]}")
            out.append(f"    - {part}: {where}")
    if not missing_any:
        out.append("Nothing missing: every part covers the newest pyo3 release.")
    return out


def main() -> int:
    releases, source = registry_releases()
    if not releases:
        print(f"upstream: could not list pyo3 releases: {source}. Nothing checked (this never fails the tests).")
        return 0
    print(f"pyo3 on crates.io: newest {show(releases[-1])} ({len(releases)} releases, from {source})")
    print("\n".join(report(releases, covered())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
