"""Timing and size figures for the views (``python -m bound_demo.views.bench``).

Prints, for a ~100-step trace of the real model: the time to draw and render
every frame from a cold cache (target <= 3 s), the live player's step-change
time once frames are cached (target <= 50 ms), and the size of the static
player (target <= 1 MB). It reports; it never fails, since timings depend on
the machine.
"""
from __future__ import annotations

import argparse
import statistics
import time


def program(iterations: int) -> dict:
    """A loop that grows a GIL-ref pool, lists and Bound clones: busy frames."""
    body = [{"op": "new", "as": "a", "type": "list", "api": "bound"},
            {"op": "new", "as": "b", "type": "object", "api": "gil_ref"},
            {"op": "append", "src": "a", "item": "b"},
            {"op": "clone", "src": "a", "as": "c"}]
    return {"format": "bound_demo.program/1", "ops": [{"op": "with_gil", "body": [
        {"op": "repeat", "times": iterations, "body": body}]}]}


def _verdict(ok: bool) -> str:
    return "ok" if ok else "OVER"


def _time_frames(trace) -> None:
    """Draw and render every frame with a cold cache, against the 3 s target."""
    from .frame import draw_step
    from .render import clear_cache, render_svgs
    clear_cache()
    t0 = time.perf_counter()
    graphs = [draw_step(s, trace=trace) for s in trace.steps]
    t1 = time.perf_counter()
    render_svgs(graphs)
    t2 = time.perf_counter()
    total = t2 - t0
    print(f"render all frames (cold cache): {total:.2f} s  "
          f"(draw {t1 - t0:.2f} s + dot {t2 - t1:.2f} s)  target <= 3 s  "
          f"[{_verdict(total <= 3)}]")


def _player_size(trace, n) -> None:
    """The static player's size, against the 1 MB target."""
    from .player import player_html
    from .render import clear_cache
    clear_cache()
    size = len(player_html(trace).encode("utf-8"))
    print(f"static player: {size / 1e6:.3f} MB for {n} steps  target <= 1 MB  "
          f"[{_verdict(size <= 1_000_000)}]")


def _time_live(prog, pyo3) -> None:
    """Step changes in the live player: cached ones against 50 ms, then one not cached yet."""
    from .live import LivePlayer
    from .render import clear_cache
    player = LivePlayer(prog, pyo3=pyo3, background=False)
    times = []
    for _ in range(player.steps - 1):
        t = time.perf_counter()
        player.next()
        times.append(time.perf_counter() - t)
    worst, median = max(times) * 1000, statistics.median(times) * 1000
    print(f"live step change (cached): median {median:.2f} ms, worst {worst:.2f} ms  "
          f"target <= 50 ms  [{_verdict(worst <= 50)}]")
    clear_cache()
    player.panes[0].svgs.clear()
    t = time.perf_counter()
    player.step = 0
    cold = (time.perf_counter() - t) * 1000
    print(f"live step change (frame not cached yet, rendered on the spot): {cold:.1f} ms")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bound_demo.views.bench")
    parser.add_argument("--iterations", type=int, default=11, help="loop count (11 gives ~100 steps)")
    parser.add_argument("--pyo3", default="0.21")
    args = parser.parse_args(argv)

    import bound_demo
    prog = program(args.iterations)
    trace = bound_demo.run(prog, pyo3=args.pyo3)
    n = len(trace.steps)
    print(f"trace: {n} steps, PyO3 {trace.pyo3}")
    _time_frames(trace)
    _player_size(trace, n)
    _time_live(prog, args.pyo3)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
