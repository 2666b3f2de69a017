"""`render` exports: HTML player, a directory of SVG frames, an animated GIF."""
from __future__ import annotations

import json

import pytest

from bound_demo.views.export import main
from .helpers import EXAMPLE, real_run

pytestmark = pytest.mark.usefixtures("dot")


@pytest.fixture
def program(tmp_path):
    path = tmp_path / "prog.json"
    path.write_text(json.dumps(EXAMPLE))
    return path


def test_html(program, tmp_path):
    out = tmp_path / "p.html"
    assert main(["render", str(program), "--pyo3", "0.20", "--html", str(out), "--quiet"]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>") and "data-bd-player" in text and "PyO3 0.20" in text


def test_html_side_by_side_with_features(program, tmp_path):
    out = tmp_path / "p.html"
    assert main([str(program), "--pyo3", "0.21", "--pyo3", "0.22", "--features", "gil-refs",
                 "--html", str(out), "--quiet"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "PyO3 0.21 + gil-refs" in text and "PyO3 0.22 + gil-refs" in text


def test_svg_dir(program, tmp_path):
    out = tmp_path / "frames"
    assert main([str(program), "--pyo3", "0.20", "--svg", str(out), "--quiet"]) == 0
    files = sorted(out.glob("step-*.svg"))
    assert files and all("<svg" in f.read_text(encoding="utf-8") for f in files)


def test_gif(program, tmp_path):
    from PIL import Image
    out = tmp_path / "a.gif"
    assert main([str(program), "--pyo3", "0.20", "--gif", str(out), "--delay", "200"]) == 0
    with Image.open(out) as im:
        assert im.n_frames == len(real_run()(EXAMPLE, pyo3="0.20").steps)


def test_bad_program_is_reported(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "bound_demo.program/1", "ops": [{"op": "nope"}]}))
    assert main([str(bad), "--html", str(tmp_path / "x.html")]) == 2
    assert "render:" in capsys.readouterr().err


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_outputs_follow_the_umask(program, tmp_path, mask, mode):
    """Every export is created with 0666 less the umask, like any file the user writes
    (a temporary file from mkstemp alone would leave them all 0600)."""
    import os
    import stat
    old = os.umask(mask)
    try:
        assert main([str(program), "--pyo3", "0.20", "--html", str(tmp_path / "p.html"), "--quiet"]) == 0
        assert main([str(program), "--pyo3", "0.20", "--svg", str(tmp_path / "f"), "--quiet"]) == 0
        assert main([str(program), "--pyo3", "0.20", "--gif", str(tmp_path / "a.gif"), "--quiet"]) == 0
    finally:
        os.umask(old)
    outputs = [tmp_path / "p.html", tmp_path / "a.gif", *sorted((tmp_path / "f").glob("step-*.svg"))]
    assert len(outputs) > 2
    assert {stat.S_IMODE(p.stat().st_mode) for p in outputs} == {mode}
