"""Every witness build listed in bound_demo.witness.BUILDS is installed (required in CI), and is
built from a crate that pins the release it claims."""

import importlib
import re
from pathlib import Path

import pytest

from bound_demo import witness
from witkit import IN_CI


@pytest.mark.parametrize("pyo3,cfg,build", witness.BUILDS, ids=lambda x: getattr(x, "module", None) or str(x))
def test_build_is_installed_and_is_the_crate_it_claims(pyo3, cfg, build):
    try:
        mod = importlib.import_module(build.module)
    except ImportError:
        if IN_CI:
            pytest.fail(f"{build.module} missing in CI")
        pytest.skip(f"WITNESS NOT BUILT: {build.module}; run scripts/build-witness.sh")
    assert mod.PYO3_VERSION == build.crate
    assert build.crate.startswith(pyo3 + ".")


def test_available_builds_cover_the_table():
    got = witness.available_builds()
    if IN_CI:
        assert {(v, c) for v, _, c in got} == {(v, c) for v, c, _ in witness.BUILDS}
    assert all(isinstance(f, tuple) and isinstance(c, tuple) for _, f, c in got)


ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("pyo3,cfg,build", witness.BUILDS, ids=lambda x: getattr(x, "module", None) or str(x))
def test_build_crate_pins_the_release_and_is_in_the_build_script(pyo3, cfg, build):
    """Checked from the sources, so it holds without Rust: the crate's Cargo.toml and Cargo.lock
    name the claimed PyO3 release, and scripts/build-witness.sh builds it with exactly its cfgs."""
    crate_dir = ROOT / "witness" / build.module.replace("bd_witness_", "pyo3_")
    toml = (crate_dir / "Cargo.toml").read_text()
    assert f'pyo3 = {{ version = "={build.crate}"' in toml
    lock = (crate_dir / "Cargo.lock").read_text()
    assert re.search(r'name = "pyo3"\nversion = "([^"]+)"', lock).group(1) == build.crate
    lib = (crate_dir / "src" / "lib.rs").read_text()
    if "rel_bound.rs" in lib:  # the Bound-era builds name their crate in lib.rs
        assert f'PYO3_CRATE: &str = "{build.crate}";' in lib
    rows = re.findall(r'^  "(\S+) (\S+) (\S+) ([^"]*)"$', (ROOT / "scripts" / "build-witness.sh").read_text(), re.M)
    row = [r for r in rows if r[1] == build.module]
    assert len(row) == 1 and row[0][0] == crate_dir.name
    flags = row[0][3].split() if row[0][3] != "-" else []
    assert sorted(f.removeprefix("--cfg=") for f in flags) == list(cfg)


def test_every_witness_crate_is_registered():
    from bound_demo.witness import ft
    crates = {p.name for p in (ROOT / "witness").glob("pyo3_*") if (p / "Cargo.toml").exists()}
    # The free-threaded crates are built by scripts/build-free-threaded.sh for their own
    # interpreter, not listed in BUILDS: the witness modules of bound_demo/witness/ft.py
    # (ft.MODULES) and the `gil_used = true` module of tests/witness_ft/test_ft_gil_used.py.
    script = (ROOT / "scripts" / "build-free-threaded.sh").read_text()
    for crate, module in [(m.replace("bd_witness_", "pyo3_"), m) for m in ft.MODULES.values()] + [
            ("pyo3_028_ft_gil_used", "bd_ft_gil_used")]:
        assert crate in crates and f"build_module {crate} {module}" in script
        crates.discard(crate)
    assert crates == {b.module.replace("bd_witness_", "pyo3_") for _, _, b in witness.BUILDS}
