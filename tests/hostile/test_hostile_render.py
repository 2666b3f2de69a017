"""Hostile renders and output paths (issue 16, items 2, 4 and 6): refused with one line and
exit status 2 before any work; what is written is complete, and nothing is left behind."""

from __future__ import annotations

import os

import pytest

from .hostilekit import P, assert_user_error, cli, gil, new, repeat, write

SMALL = P(gil(new("b"), {"op": "probe", "label": "p"}))


@pytest.fixture
def small(tmp_path):
    return write(tmp_path, SMALL)


def test_output_paths_that_cannot_be_written(small, tmp_path):
    assert_user_error(cli("render", small, "--html", tmp_path), "is a directory")
    assert_user_error(cli("render", small, "--html", tmp_path / "no" / "x.html"), "does not exist")
    existing = tmp_path / "file.txt"
    existing.write_text("keep")
    assert_user_error(cli("render", small, "--svg", existing), "is not a directory")
    assert existing.read_text() == "keep"
    assert_user_error(cli("render", small, "--html", "/dev/full"), "No space left on device")
    assert_user_error(cli("render", small, "--gif", "/proc/x.gif"))
    assert_user_error(cli("render", small, "--html", ""), "empty")


def test_render_errors_are_one_line(small, tmp_path):
    out = tmp_path / "x.html"
    assert_user_error(cli("render", small, "--html", out, "--delay", "-5"), "--delay")
    assert_user_error(cli("render", small), "one of the arguments --html --svg --gif is required")
    assert_user_error(cli("render", "nope", "--html", out), "neither a program file nor a scenario")
    assert_user_error(cli("render", small, "--svg", tmp_path / "d", "--pyo3", "0.21", "--pyo3", "0.22"),
                      "only combine in --html")
    assert not out.exists()


def test_render_refuses_a_feature_the_release_lacks_like_run(tmp_path):
    out = tmp_path / "x.html"
    r1 = cli("run", "gilref_loop", "--pyo3", "0.29", "--features", "gil-refs")
    r2 = cli("render", "gilref_loop", "--pyo3", "0.29", "--features", "gil-refs", "--html", out)
    e1, e2 = assert_user_error(r1), assert_user_error(r2)
    assert e1.split(": ", 1)[1] == e2.split(": ", 1)[1]
    assert not out.exists()


def test_run_and_render_default_to_the_same_release(tmp_path):
    out = tmp_path / "x.html"
    r = cli("run", "gilref_loop")
    assert r.returncode == 0, r.stderr
    label = r.stdout.split(":")[0]  # e.g. 'PyO3 0.20'
    assert label.startswith("PyO3 0.2")
    assert cli("render", "gilref_loop", "--html", out, "--quiet").returncode == 0
    assert f">{label}<" in out.read_text(encoding="utf-8")


def test_render_of_a_scenario_leaves_no_temporary_file(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "x.gif"
    r = cli("render", "dealloc_drains_pool", "--gif", out, "--quiet", env={"TMPDIR": str(tmp)})
    assert r.returncode == 0, r.stderr
    assert os.listdir(tmp) == [] and out.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".bd-")] == []


def test_frame_count_cap_names_the_step_range_option(tmp_path):
    f = write(tmp_path, P(gil(repeat(1200, new("b", api="gil_ref")))))
    out = tmp_path / "svg"
    err = assert_user_error(cli("render", f, "--pyo3", "0.20", "--svg", out), "--steps A:B")
    assert "over the cap of 1,000" in err and not out.exists()
    r = cli("render", f, "--pyo3", "0.20", "--svg", out, "--steps", "100:103", "--quiet")
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["step-0001.svg", "step-0002.svg", "step-0003.svg"]


def test_frame_size_cap(tmp_path):
    threads = [{"op": "thread", "name": f"t{i}", "body": [gil(new("b"))]} for i in range(120)]
    f = write(tmp_path, P(*threads))
    err = assert_user_error(cli("render", f, "--pyo3", "0.23", "--html", tmp_path / "x.html"),
                            "per frame")
    assert "--steps A:B" in err


def test_long_escaped_note_renders(tmp_path):
    # The longest note, all '&' (five bytes each once escaped), used to make dot fail.
    f = write(tmp_path, P(gil({"op": "probe", "label": "p", "note": "&<" * 250})))
    out = tmp_path / "svg"
    r = cli("render", f, "--pyo3", "0.23", "--svg", out, "--quiet")
    assert r.returncode == 0, r.stderr
    assert "&amp;&lt;" * 50 in (out / "step-0002.svg").read_text(encoding="utf-8")


def test_graphviz_escapes_in_names_are_shown_verbatim(tmp_path):
    f = write(tmp_path, P(gil(new("x\\Ny\\Gz"))))
    out = tmp_path / "svg"
    assert cli("render", f, "--pyo3", "0.23", "--svg", out, "--quiet").returncode == 0
    text = (out / "step-0002.svg").read_text(encoding="utf-8")
    assert "x\\Ny\\Gz" in text


def test_gif_canvas_cap(tmp_path):
    # The kind of render the kernel's OOM killer stopped at 24 GB: 25 threads make frames of
    # about 5 million pixels, refused after the first frame.
    threads = [{"op": "thread", "name": f"t{i}", "body": [gil(new("b"))]} for i in range(25)]
    f = write(tmp_path, P(*threads))
    out = tmp_path / "x.gif"
    err = assert_user_error(cli("render", f, "--pyo3", "0.23", "--gif", out, "--quiet"),
                            "GIF canvas")
    assert "over the cap of 4,000,000" in err and not out.exists()


def test_gif_frame_cap_refuses_before_any_drawing(tmp_path):
    # 400 probes: under the render cap of 1,000 frames, over the GIF's 300; refused at once
    # (no frame is drawn or measured first), and --steps narrows it to a GIF that is made.
    f = write(tmp_path, P(gil(*[{"op": "probe", "label": f"p{i}"} for i in range(400)])))
    out = tmp_path / "x.gif"
    err = assert_user_error(cli("render", f, "--pyo3", "0.23", "--gif", out, "--quiet"),
                            "a GIF of 403 frames is over the cap of 300")
    assert "--steps A:B" in err and not out.exists()
    assert cli("render", f, "--pyo3", "0.23", "--gif", out, "--steps", "0:3", "--quiet").returncode == 0
    assert out.read_bytes()[:6] == b"GIF89a"
