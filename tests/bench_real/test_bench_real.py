"""End-to-end check of the real-PyO3 benchmark harness in --quick mode.

Asserts that the harness runs and writes well-formed results, never anything about speed: tiny
counts on a shared machine say nothing. In CI (CI=true) missing extensions are a failure, because
scripts/build-bench-real.sh must have built them; elsewhere the test skips, loudly.
"""
import importlib
import json
import os
import subprocess
import sys
import warnings

import pytest

from bound_demo.bench_real.workloads import MODULES, RSS_SERIES, WORKLOADS

IN_CI = os.environ.get("CI") == "true"


def _require_extensions():
    missing = []
    for name in MODULES.values():
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if not missing:
        return
    msg = (f"bench_real extensions not built: {', '.join(missing)} "
           "(run scripts/build-bench-real.sh; needs cargo)")
    if IN_CI:
        pytest.fail(msg)
    warnings.warn(msg)
    print(f"\n*** SKIPPING bench_real: {msg} ***", file=sys.stderr)
    pytest.skip(msg)


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory):
    _require_extensions()
    out = tmp_path_factory.mktemp("bench_real") / "quick.json"
    subprocess.run([sys.executable, "-m", "bound_demo.bench_real", "--quick", "--no-build",
                    "--out", str(out)], check=True, timeout=300)
    return json.loads(out.read_text())


def test_every_workload_and_series_was_timed(quick_results):
    assert quick_results["mode"] == "quick"
    timed = {w["name"]: w for w in quick_results["workloads"]}
    assert set(timed) == {w.name for w in WORKLOADS}
    for w in WORKLOADS:
        series = {s["key"]: s for s in timed[w.name]["series"]}
        assert set(series) == {s.key for s in w.series}
        for s in series.values():
            assert len(s["samples"]) == quick_results["settings"]["rounds"]
            assert s["ns_per_iter"]["median"] > 0


def test_same_build_ratio_is_reported_for_every_api_workload(quick_results):
    for w in quick_results["workloads"]:
        rid = {"py_drop": "pool_021", "attach_empty": "empty_029_030",
               "detach_empty": "empty_029_030"}.get(w["name"], "same_build")
        r = w["ratios"][rid]
        assert r["q1"] <= r["median"] <= r["q3"]


def test_030_is_timed_beside_029(quick_results):
    """The 0.29.3/0.30.1 comparison: the same Rust in both builds, every ratio present."""
    timed = {w["name"]: w for w in quick_results["workloads"]}
    for name in ("attach_empty", "detach_empty"):
        assert [s["key"] for s in timed[name]["series"]] == ["0.29/empty", "0.30/empty"]
        assert {s["module"] for s in timed[name]["series"]} == {"bench_pyo3_029", "bench_pyo3_030"}
    drop = timed["py_drop"]["ratios"]
    assert {"pool_030", "detached_029_030", "attached_029_030"} <= set(drop)
    assert drop["detached_029_030"]["num"] == "0.29/detached"
    assert quick_results["machine"]["pyo3"]["pyo3_030"] == "0.30.1"


def test_memory_points_and_machine_are_recorded(quick_results):
    rss = quick_results["rss"]
    quick_keys = {k for k, _, _ in RSS_SERIES[1:3]}
    assert set(rss["series"]) == quick_keys
    for s in rss["series"].values():
        assert [p["n"] for p in s["points"]] == rss["points"]
        assert all(p["peak_rss_kb"] > 0 for p in s["points"])
    m = quick_results["machine"]
    assert m["cores"] >= 1 and m["python"] and m["pyo3"]["pyo3_021"] == "0.21.2"
    assert quick_results["model"]["status"] in {"ok", "partial", "unavailable", "error"}
    ir = quick_results["instructions"]
    assert ir["status"] in {"ok", "unavailable"}
    if ir["status"] == "ok":
        assert ir["workloads"]["create_drop"]["0.21/gil_refs"] > 0


def test_report_renders_from_quick_results(quick_results, tmp_path):
    data = tmp_path / "bench.json"
    data.write_text(json.dumps(quick_results))
    subprocess.run([sys.executable, "-m", "bound_demo.bench_real.report", "--data", str(data),
                    "--docs", str(tmp_path)], check=True, timeout=300)
    page = (tmp_path / "performance.md").read_text()
    assert "25%" in page and "#3445" in page
    assert "## 0.29.3 → 0.30.1: the reference pool's fast path (#6200)" in page
    assert "| Nested attach, empty reference pool |" in page and "| 0.30.1 |" in page
    for png in ("time_ratio.png", "rss.png"):
        assert (tmp_path / "performance" / png).stat().st_size > 1000
