"""Compile-fail checks: real rustc against real PyO3 crates (witness/compile_fail/).

Every example in witness/compile_fail/<crate>/examples/ names the error it must produce in a
`//! expect:` header (an error code such as E0277, or text such as "lifetime may not live long
enough"); `ok_*` examples must compile. One `cargo check --examples --keep-going` per crate.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CF = ROOT / "witness" / "compile_fail"
CRATES = sorted(p.name for p in CF.iterdir() if (p / "Cargo.toml").is_file())


def _expectations(crate: str) -> dict[str, str]:
    out = {}
    for f in sorted((CF / crate / "examples").glob("*.rs")):
        m = re.search(r"^//! expect: (.+)$", f.read_text(), re.M)
        assert m, f"{f} has no '//! expect:' header"
        out[f.stem] = m.group(1).strip()
    return out


def _check(crate: str) -> dict[str, list[str]]:
    """Errors per example: each as 'E0xxx: message' or the bare message."""
    if not shutil.which("cargo"):
        if os.environ.get("CI") == "true":
            pytest.fail("cargo missing in CI")
        pytest.skip("RUST NOT INSTALLED: compile-fail checks need cargo")
    env = dict(os.environ, CARGO_TARGET_DIR=str(ROOT / ".build" / "target"))
    cp = subprocess.run(["cargo", "check", "--examples", "--keep-going", "-j", "2", "--message-format=json", "-q"],
                        cwd=CF / crate, env=env, capture_output=True, text=True, timeout=900)
    errors: dict[str, list[str]] = {}
    for line in cp.stdout.splitlines():
        msg = json.loads(line)
        if msg.get("reason") != "compiler-message" or msg["message"]["level"] != "error":
            continue
        code = (msg["message"].get("code") or {}).get("code")
        text = msg["message"]["message"]
        errors.setdefault(msg["target"]["name"], []).append(f"{code}: {text}" if code else text)
    return errors


@pytest.mark.parametrize("crate", CRATES)
def test_compile_fail(crate):
    expect = _expectations(crate)
    errors = _check(crate)
    for name, want in expect.items():
        got = errors.get(name, [])
        if want == "ok":
            assert not got, f"{crate}/{name} should compile, got {got}"
        else:
            assert any(want in e for e in got), f"{crate}/{name}: expected {want!r}, got {got or 'no error'}"


@pytest.mark.parametrize("kind,name", [("guard", "PyClassGuard"), ("guard_mut", "PyClassGuardMut")])
def test_model_names_the_error_rustc_gives_its_guard_line(kind, name):
    # guard_bare_name.rs pins what rustc says of the model's spelling before 0.26 (the bare
    # name, as bound_demo/text/rust.py writes it); the model must say the same.
    import bound_demo
    from bound_demo.text.rust import _borrow_call
    want = _expectations("pyo3_025")["guard_bare_name"]
    code, text = want.split(": ", 1)
    prog = {"format": "bound_demo.program/1", "classes": {"Node": {"fields": []}},
            "ops": [{"op": "gil", "body": [
                {"op": "new", "as": "a", "type": "object", "api": "bound", "class": "Node"},
                {"op": kind, "src": "a", "as": "g"}]}]}
    t = bound_demo.run(prog, pyo3="0.25")
    assert t.error.kind == "compile_error" and f"error[{code}]" in t.error.message
    assert text.replace("PyClassGuard", name) in t.error.message
    op = type("Op", (), {"get": lambda self, k: {"as": "g", "src": "a"}[k], "kind": kind})()
    assert f"extract::<{name}<'_, T>>()" in _borrow_call(op, None)
