"""PNG charts for docs/performance.md, drawn from the results JSON with matplotlib (Agg)."""
import matplotlib

matplotlib.use("Agg")  # files only: no display on CI or a server
import matplotlib.pyplot as plt  # noqa: E402

from .workloads import POOL_LOADS  # noqa: E402

# Okabe-Ito: distinguishable with the common colour-vision deficiencies, like the rest of the site.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")

BAR_RATIOS = (
    ("same_build", "0.21.2: GIL Refs / Bound (same build)"),
    ("claim_baseline", "0.20.3 GIL Refs / 0.21.2 Bound"),
    ("today", "0.20.3 GIL Refs / 0.29.3 Bound"),
)


def _whiskers(ratios):
    """Medians, and the distances down to q1 and up to q3, of a list of ratio summaries."""
    return ([r["median"] for r in ratios], [r["median"] - r["q1"] for r in ratios],
            [r["q3"] - r["median"] for r in ratios])


def _bars(loads, rid, j, width):
    """Bar positions of ratio `rid` (the j-th bar in each group) for the workloads that have it."""
    have = [(i, w["ratios"][rid]) for i, w in enumerate(loads) if w["ratios"].get(rid)]
    return [i + (j - 1) * width for i, _ in have], [r for _, r in have]


def time_ratios(data, path):
    """Grouped bars: old/new time per workload, whiskers = interquartile range of per-round ratios."""
    loads = [w for w in data["workloads"] if w["name"] not in POOL_LOADS]
    fig, ax = plt.subplots(figsize=(9, 4.6), dpi=110)
    width = 0.8 / len(BAR_RATIOS)
    for j, (rid, label) in enumerate(BAR_RATIOS):
        xs, ratios = _bars(loads, rid, j, width)
        med, lo, hi = _whiskers(ratios)
        ax.bar(xs, med, width, yerr=[lo, hi], capsize=3, label=label, color=COLOURS[j])
    # The published claims as time ratios: saving s means old/new = 1 / (1 - s).
    ax.axhspan(1 / (1 - 0.22), 1 / (1 - 0.30), color="grey", alpha=0.2, zorder=0,
               label="published: 22% (#3445) to 30% (#3382) saved")
    ax.axhline(1.0, color="black", lw=1)
    ax.set_xticks(range(len(loads)), [w["title"] for w in loads], rotation=12, fontsize=9)
    ax.set_ylabel("time ratio, old / new  (> 1: new is faster)")
    ax.set_title(f"GIL Refs vs Bound, n = {loads[0]['n']} objects per #[pyfunction] call")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def scaling(data, path):
    """Same-build ratio against work per call: the pool's cost grows with what it holds."""
    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    for k, s in enumerate(data.get("scaling", [])):
        ns = [p["n"] for p in s["points"]]
        med, lo, hi = _whiskers([p["ratio"] for p in s["points"]])
        ax.errorbar(ns, med, yerr=[lo, hi], marker="o", capsize=3, color=COLOURS[k],
                    label=f"{s['workload']}: {s['num']} / {s['den']}")
    ax.axhline(1.0, color="black", lw=1)
    ax.set_xscale("log")
    ax.set_xlabel("objects touched in one #[pyfunction] call (n)")
    ax.set_ylabel("time ratio GIL Refs / Bound")
    ax.set_title("Where the GILPool's cost comes from: what it holds")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


_RSS_STYLES = (("o", "-"), ("x", "--"), ("s", "-"), ("^", ":"))  # 0.20 and 0.21 GIL Refs overlap


def _growth_mb(p):
    # VmHWM moves in 4 KiB pages: growth below one page is drawn at 4 KiB on the log axis.
    return max(p["growth_kb"] or 0, 4) / 1024


def _measured(ax, series):
    """The measured growth of peak RSS, one line per series."""
    for k, (key, s) in enumerate(series.items()):
        flat = all((p["growth_kb"] or 0) < 4 for p in s["points"])
        marker, ls = _RSS_STYLES[k % len(_RSS_STYLES)]
        ax.plot([p["n"] for p in s["points"]], [_growth_mb(p) for p in s["points"]], marker=marker,
                ls=ls, color=COLOURS[k], label=key + (" (no growth: < 1 page)" if flat else ""))


def _model_as_memory(ax, m, gil):
    """The model's object count scaled by the bytes per object measured at the largest N."""
    last = gil["points"][-1]
    per_obj = (last["growth_kb"] or 0) / last["n"]
    ax.plot([p["n"] for p in m["points"]], [p["owned"] * per_obj / 1024 for p in m["points"]],
            ls=(0, (1, 3)), lw=2.5, color=COLOURS[4],
            label=f"model pool length x {per_obj * 1024:.0f} B")


def _model_panel(ax, m):
    """The objects the model's pool holds, or why that curve is missing."""
    if not m.get("points"):
        ax.text(0.5, 0.5, "model curve not available:\n" + (m.get("reason") or "not run"),
                ha="center", va="center", wrap=True, fontsize=9, transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
        return
    ax.plot([p["n"] for p in m["points"]], [p["owned"] for p in m["points"]], marker="s",
            color=COLOURS[4], label=f"model, pyo3={m['pyo3']}: pool length at probe 'end'")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.legend(fontsize=8)


def rss(data, path):
    """Left: measured growth of peak RSS. Right: objects the model's pool holds, same loop."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), dpi=110)
    _measured(left, data["rss"]["series"])
    m = data.get("model") or {}
    gil = data["rss"]["series"].get("0.21/gil_refs")
    if m.get("points") and gil:
        _model_as_memory(left, m, gil)
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("iterations of the loop in one call (N)")
    left.set_ylabel("peak RSS growth, MiB (VmHWM after - before)")
    left.set_title("Real PyO3")
    left.legend(fontsize=8)
    _model_panel(right, m)
    right.set_xlabel("iterations (N)")
    right.set_ylabel("objects held by the GILPool")
    right.set_title("bound_demo model")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
