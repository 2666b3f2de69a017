"""The free-threading section of the Real numbers page (bound_demo/bench_real/thread_scaling.py):
every figure in it is read from docs/data/thread_scaling.json, and the committed page carries the
section that file gives."""
import json
from pathlib import Path

from bound_demo.bench_real import thread_scaling

DOCS = Path(__file__).resolve().parents[2] / "docs"

RUN = {"workload": "w", "iters_per_thread": 1000, "repeat": 3, "cpus": 2, "python": "3.13.5t", "pyo3": "0.28.3",
       "date": "2026-12-04T00:00:00Z", "cpu": "x86_64", "load_before": [0.1, 0.2, 0.3],
       "load_after": [1.5, 0.6, 0.4],
       "free_threaded": {"seconds": {"1": 0.5, "2": 0.5}, "iters_per_s": {"1": 2000, "2": 4000},
                         "ratio_2_over_1": 2.0},
       "gil_forced_on": {"seconds": {"1": 0.5, "2": 1.25}, "iters_per_s": {"1": 2000, "2": 1600},
                         "ratio_2_over_1": 0.8}}


def test_the_section_reads_its_figures_from_the_run():
    text = thread_scaling.section(RUN)
    assert "| free-threaded, GIL off | 0.500 | 0.500 | 2,000 | 4,000 | 2.00× |" in text
    assert "| same build, GIL forced on | 0.500 | 1.250 | 2,000 | 1,600 | 0.80× |" in text
    assert "a second thread gives 2.00× the one-thread throughput" in text
    assert "give 0.80×" in text and "PyO3 0.28.3" in text and "CPython 3.13.5t" in text


def test_without_a_run_the_section_says_how_to_measure():
    assert thread_scaling.section(None).startswith("Not measured yet")


def test_the_committed_page_carries_the_committed_run():
    run = json.loads((DOCS / "data" / "thread_scaling.json").read_text())
    assert run["free_threaded"]["ratio_2_over_1"] > 0
    assert thread_scaling.section(run) in (DOCS / "performance.md").read_text()
