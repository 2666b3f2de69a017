"""Compile every Rust snippet of the site against the PyO3 release it names.

    python -m tools.rustcheck            check everything, write .build/rustcheck/report.json
    python -m tools.rustcheck --bless    also rewrite the pinned compiler output (*.stderr)
    python -m tools.rustcheck --lock     re-resolve the committed Cargo.lock of every check crate
    python -m tools.rustcheck --only v0.21.2    check one crate (repeatable)

Exit status 1 when any snippet or timeline probe disagrees with its promise. Without cargo the
check is skipped loudly, except in CI (CI=true), where a missing toolchain is a failure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

from . import cargo, manifests, timeline
from .snippets import CRATES, ROOT, discover, profiles

REPORT = cargo.BUILD / "report.json"


def lock() -> None:
    for profile in profiles():
        crate, _ = cargo.prepare(profile, [])
        (crate / "Cargo.lock").unlink(missing_ok=True)
        subprocess.run(["cargo", "generate-lockfile"], cwd=crate, env=cargo.cargo_env(), check=True)
        shutil.copyfile(crate / "Cargo.lock", CRATES / profile / "Cargo.lock")
        print(f"locked {profile}")


def package_name(profile: str) -> str:
    return "bd-check-" + profile.replace(".", "-")


def check(only: list[str], bless: bool, jobs: int) -> dict:
    snippets = discover() + timeline.probes()
    report = {"toolchain": cargo.TOOLCHAIN, "skipped": None, "crates": {}, "snippets": []}
    started = time.monotonic()
    for profile in profiles():
        if only and profile not in only:
            continue
        mine = [s for s in snippets if s.profile == profile]
        if not mine:
            continue
        crate, targets = cargo.prepare(profile, mine)
        records, stderr, seconds = cargo.run(crate, jobs)
        by_target = cargo.messages_by_target(records, package_name(profile))
        # A target rustc never reached (a lockfile cargo refused, a dependency that failed to
        # build) has neither an artifact nor a message: that must not read as "compiled clean".
        reached = cargo.compiled_targets(records, package_name(profile)) | set(by_target)
        report["crates"][profile] = {"seconds": round(seconds, 1), "snippets": len(mine)}
        print(f"{profile}: {len(mine)} snippets in {len(targets)} targets, {seconds:.1f} s", flush=True)
        for name, group in targets.items():
            messages = by_target.get(name, [])
            for s in group:
                own = messages if len(group) == 1 else [
                    m for m in messages if s.path.relative_to(ROOT).as_posix() in m.rendered]
                problems = cargo.judge(s, own)
                if name not in reached:
                    problems.append("cargo never compiled this snippet:\n" + stderr[-3000:])
                if s.kind != "pass" and s.source is None:
                    problems += _pin(s, own, bless)
                report["snippets"].append({
                    "file": s.rel, "release": s.release, "features": list(s.features),
                    "kind": s.kind, "ok": not problems, "problems": problems,
                })
            if len(group) > 1:
                stray = [m for m in messages if not any(
                    s.path.relative_to(ROOT).as_posix() in m.rendered for s in group)]
                for m in stray:
                    report["snippets"].append({"file": f"{profile}/{name}", "release": profile, "features": [],
                                               "kind": "pass", "ok": False, "problems": [m.rendered]})
    if not only:
        for case in manifests.discover():
            problems, message = manifests.check(case)
            problems += _pin_text(case.stderr_path, message, bless)
            report["snippets"].append({"file": case.rel, "release": "cargo", "features": [],
                                       "kind": "error", "ok": not problems, "problems": problems})
    report["seconds"] = round(time.monotonic() - started, 1)
    return report


def _pin(snippet, messages, bless: bool) -> list[str]:
    """Compare (or, with --bless, rewrite) the compiler output the site shows for this snippet."""
    return _pin_text(snippet.stderr_path, cargo.pinned_output(messages), bless)


def _pin_text(path, actual: str, bless: bool) -> list[str]:
    if bless:
        path.write_text(actual)
        return []
    if not path.exists():
        return [f"no pinned output {path.relative_to(ROOT)}; run `python -m tools.rustcheck --bless`"]
    if path.read_text() != actual:
        return [f"compiler output differs from {path.relative_to(ROOT)}:\n{actual}"]
    return []


def main() -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.rustcheck", description=__doc__.split("\n")[0])
    ap.add_argument("--bless", action="store_true")
    ap.add_argument("--lock", action="store_true")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("-j", "--jobs", type=int, default=2)
    args = ap.parse_args()
    cargo.BUILD.mkdir(parents=True, exist_ok=True)
    if shutil.which("cargo") is None:
        REPORT.write_text(json.dumps({"skipped": "cargo not found on PATH"}))
        print("rustcheck: SKIPPED, cargo not found: no Rust snippet was compiled", file=sys.stderr)
        return 1 if _in_ci() else 0
    if args.lock:
        lock()
        return 0
    report = check(args.only, args.bless, args.jobs)
    REPORT.write_text(json.dumps(report, indent=1))
    bad = [s for s in report["snippets"] if not s["ok"]]
    for s in bad:
        print(f"FAIL {s['file']} ({s['release']}):", *s["problems"], sep="\n  ", file=sys.stderr)
    total = len(report["snippets"])
    print(f"rustcheck: {total - len(bad)}/{total} snippets and probes as promised, "
          f"{len(report['crates'])} crates, {report['seconds']} s")
    return 1 if bad else 0


def _in_ci() -> bool:
    return os.environ.get("CI") == "true"


if __name__ == "__main__":
    sys.exit(main())
