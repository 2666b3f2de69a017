"""Charts: the numbers they plot, peak-preserving downsampling, and that they draw."""
from __future__ import annotations

import math

from . import fakes
from bound_demo.views.charts import chart, downsample, expand, pool_chart, refcount_chart, series


def test_series_reads_pool_and_queue_sizes():
    trace = fakes.long_trace(30)
    data = series(trace)
    assert list(data["owned"]["main"]) == [len(s.state.threads["main"].owned) for s in trace.steps]
    assert list(data["decrefs"]) == [0] * 30


def test_touched_only_reading_matches_exact(example_trace):
    for trace in (example_trace, fakes.long_trace(40), fakes.gil_ref_trace()):
        assert series(trace)["refcounts"] == series(trace, exact=True)["refcounts"]


def test_freed_objects_end_their_line():
    data = series(fakes.gil_ref_trace())
    xs, ys = data["refcounts"]["o1"]
    line = expand(xs, ys, data["n"])
    assert math.isnan(line[0]) and line[1] == 1 and math.isnan(line[-1])


def test_downsample_keeps_every_peak():
    ys = [0] * 100_000
    ys[777] = 50
    ys[99_999] = -3
    ys[54_321] = 12
    xs, out = downsample(ys, 1000)
    assert len(out) <= 1000
    assert max(out) == 50 and min(out) == -3 and 12 in out
    assert xs == sorted(xs) and xs[out.index(50)] == 777


def test_downsample_short_series_untouched():
    assert downsample([3, 1, 2], 10) == ([0, 1, 2], [3, 1, 2])


def test_charts_draw():
    trace = fakes.long_trace(50)
    fig = chart(trace)
    assert len(fig.axes) == 2
    assert refcount_chart(trace).get_lines()
    assert len(pool_chart(trace).get_lines()) == 3  # owned (main), increfs, decrefs
