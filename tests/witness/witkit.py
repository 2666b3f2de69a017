"""Shared helpers for the real-PyO3 witness tests (imported as `witkit`).

The witness modules are built by scripts/build-witness.sh. Without them (no Rust toolchain)
every test here is skipped with a loud reason; in CI (CI=true) a missing build is a failure.
"""

from __future__ import annotations

import os

import pytest

from bound_demo import witness

IN_CI = os.environ.get("CI") == "true"


def run(program_ops, pyo3, features=(), cfg=()):
    """Run a program given as a list of ops; skip (or fail in CI) when that build is absent."""
    prog = {"format": "bound_demo.program/1", "ops": list(program_ops)}
    try:
        return witness.run(prog, pyo3=pyo3, features=features, cfg=cfg)
    except witness.WitnessUnavailable as e:
        if IN_CI:
            pytest.fail(f"witness build missing in CI: {e}")
        pytest.skip(f"WITNESS NOT BUILT ({e}); run scripts/build-witness.sh")


def rc(result, label, oid="o1"):
    """Refcount of `oid` at the latest probe `label` (0 once freed); fails on a program error."""
    assert result.error is None, result.error
    return result.at(label).objects[oid].refcount


def alive(result, label, oid="o1"):
    assert result.error is None, result.error
    return result.at(label).objects[oid].alive


# Small op constructors, so programs read like the Rust they stand for.
def new(name, type_="object", api="py", items=None):
    op = {"op": "new", "as": name, "type": type_, "api": api}
    if items:
        op["items"] = list(items)
    return op


def block(kind, *body, as_=None, **extra):
    op = {"op": kind, "body": list(body), **extra}
    if as_:
        op["as"] = as_
    return op


def op(kind, src=None, as_=None, **extra):
    d = {"op": kind, **extra}
    if src is not None:
        d["src"] = src
    if as_ is not None:
        d["as"] = as_
    return d


def probe(label):
    return {"op": "probe", "label": label}


def ret(src):
    return {"op": "return", "src": src}
