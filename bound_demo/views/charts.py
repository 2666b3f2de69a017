"""Charts over a whole trace: refcount of each object, and the sizes of the
per-thread owned-object pools and of the global pending queues, step by step.

Reading is one pass over the steps that only asks for lengths and for the
objects each step touched, so a 10^5-step trace is cheap to read. Long series
are downsampled to the minimum and maximum of each bucket, in order, so no peak
(a pool that briefly holds 10 000 objects) disappears from the picture.
"""
from __future__ import annotations

from array import array
import math

from . import palette as P
from .access import owned_len, states

CYCLE = [P.BLUE, P.ORANGE, P.GREEN, P.VERMILLION, P.PURPLE, P.SKY, P.BLACK, P.YELLOW]


def series(trace, *, exact: bool = False) -> dict:
    """Per-step numbers: refcount change points per object, pool and queue sizes.

    Only the objects a step lists in ``touched`` are read (a refcount changes
    only when its object is touched); ``exact=True`` reads every object each step.
    """
    n = len(trace.steps)
    owned: dict = {}
    increfs, decrefs = array("l", [0] * n), array("l", [0] * n)
    changes: dict = {}          # oid -> ([step], [refcount])
    last: dict = {}
    for i, step, st in states(trace):
        for name, th in st.threads.items():
            owned.setdefault(name, array("l", [0] * n))[i] = owned_len(th)
        increfs[i] = len(st.pending_increfs)
        decrefs[i] = len(st.pending_decrefs)
        for oid in _oids_to_read(step, st, i, exact):
            _note_refcount(changes, last, oid, st.objects.get(oid), i)
    return {"n": n, "refcounts": changes, "owned": owned,
            "increfs": increfs, "decrefs": decrefs}


def _oids_to_read(step, st, i, exact):
    """The objects whose refcount step ``i`` may have changed (all of them on step 0)."""
    touched = (step.touched or {}).get("objects") if not exact and i else None
    return st.objects.keys() if touched is None else touched


def _note_refcount(changes, last, oid, ob, i) -> None:
    """Record a change point when object ``oid``'s refcount differs from the last one seen."""
    if ob is None:
        return
    # A freed object's line ends (None becomes a gap) instead of running on at 0.
    rc = ob.refcount if ob.alive else None
    if last.get(oid) != rc:
        last[oid] = rc
        xs, ys = changes.setdefault(oid, ([], []))
        xs.append(i)
        ys.append(rc)


def expand(change_xs, change_ys, n) -> list:
    """A step function from its change points; NaN before the object exists."""
    out = [math.nan] * n
    for x, end, y in zip(change_xs, list(change_xs[1:]) + [n], change_ys):
        out[x:end] = [math.nan if y is None else y] * (end - x)
    return out


def downsample(ys, max_points: int = 2000) -> tuple:
    """(xs, ys) with at most ~max_points points, keeping each bucket's min and max in order."""
    n = len(ys)
    if n <= max_points:
        return list(range(n)), list(ys)
    points = _bucket_extremes(ys, math.ceil(n / (max_points // 2)))
    return [x for _, x in points], [y for y, _ in points]


def _bucket_extremes(ys, size) -> list:
    """(y, x) of each bucket's min and max, bucket after bucket, in step order."""
    return [p for start in range(0, len(ys), size) for p in _extremes(ys, start, size)]


def _extremes(ys, start, size) -> list:
    """(y, x) of a bucket's min and max in step order; none when it is all NaN (y != y)."""
    chunk = [(y, start + k) for k, y in enumerate(ys[start:start + size]) if y == y]
    if not chunk:
        return []
    lo, hi = min(chunk), max(chunk, key=lambda p: (p[0], -p[1]))
    return sorted({lo, hi}, key=lambda p: p[1])


def _axes(ax):
    if ax is not None:
        return ax
    from matplotlib.figure import Figure
    return Figure(figsize=(8, 3), layout="constrained").add_subplot()


def _peak(item) -> int:
    """Sort key of an (oid, (xs, ys)) series: its highest refcount first."""
    return -max((y for y in item[1][1] if y is not None), default=0)


def _plot(ax, lines, max_points, ylabel) -> None:
    """Each (label, values per step, line style or None) as a downsampled step line in the
    next colour of the cycle, then the axis labels."""
    for k, (label, ys, style) in enumerate(lines):
        px, py = downsample(ys, max_points)
        ax.plot(px, py, drawstyle="steps-post", linestyle=style, color=CYCLE[k % len(CYCLE)],
                label=label)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("step")


def refcount_chart(trace, ax=None, *, top: int = 8, max_points: int = 2000, data=None):
    """Refcount of the ``top`` objects with the highest peak, over the steps."""
    ax = _axes(ax)
    data = data or series(trace)
    peaks = sorted(data["refcounts"].items(), key=_peak)[:top]
    # In the order the objects were first seen, so an object keeps its colour as others come.
    _plot(ax, [(str(oid), expand(xs, ys, data["n"]), None)
               for oid, (xs, ys) in sorted(peaks, key=lambda kv: kv[1][0][0])], max_points, "refcount")
    if peaks:
        ax.legend(loc="upper left", fontsize="small", ncols=min(4, len(peaks)))
    return ax


def pool_chart(trace, ax=None, *, max_points: int = 2000, data=None):
    """Owned-object pool size per thread and the pending queues, over the steps."""
    ax = _axes(ax)
    data = data or series(trace)
    lines = [(f"owned objects ({name})", col, "-") for name, col in data["owned"].items()]
    lines += [("pending increfs", data["increfs"], ":"), ("pending decrefs", data["decrefs"], "--")]
    _plot(ax, lines, max_points, "entries")
    ax.legend(loc="upper left", fontsize="small")
    return ax


def chart(trace, *, top: int = 8, max_points: int = 2000):
    """Both charts in one matplotlib Figure (shared step axis)."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=(9, 5.5), layout="constrained")
    a, b = fig.subplots(2, 1, sharex=True)
    data = series(trace)
    refcount_chart(trace, a, top=top, max_points=max_points, data=data)
    pool_chart(trace, b, max_points=max_points, data=data)
    title = getattr(trace, "title", None)
    from .labels import release_label
    fig.suptitle(" · ".join(x for x in (title, release_label(trace)) if x))
    return fig
