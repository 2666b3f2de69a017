"""``render``: write a program's step player or frames to files.

    python -m bound_demo render FILE --pyo3 0.21 [--features gil-refs] [--cfg FLAG]
                                     (--html OUT.html | --svg DIR | --gif OUT.gif) [--steps A:B]

``--pyo3`` may be repeated for --html (releases side by side). Long renders show
a tqdm progress bar on stderr. The lead's CLI routes ``render`` here; running this
module directly works too. A render is refused before it starts when its frames would be
over the caps of `bound_demo.budget` (``--steps`` narrows it); SVG and GIF exports
draw and render CHUNK frames at a time, and the GIF is built one frame at a time.
"""
from __future__ import annotations

import argparse
import contextlib
import html
import os
import tempfile
from itertools import islice
import sys

from .. import budget
from .describe import describe
from .frame import iter_trace, measure
from .svgpack import standalone
from .render import GraphvizMissing, render_pngs, render_svgs

CHUNK = 32  # frames drawn and rendered at a time: exports hold one chunk, never the whole trace


def _parser() -> argparse.ArgumentParser:
    from ..cli import Parser
    p = Parser(prog="python -m bound_demo render",
               description="Render a bound_demo program as a step player or frames. "
                           "Existing output files are overwritten (as dot -o does).")
    p.add_argument("file", help="program file (JSON, format bound_demo.program/1) or scenario name")
    p.add_argument("--pyo3", action="append", metavar="RELEASE",
                   help="PyO3 release, e.g. 0.21 (repeat for side-by-side HTML; default: a "
                        "scenario's first release, else 0.29)")
    p.add_argument("--features", action="append", default=[], metavar="FEATURE",
                   help="Cargo feature(s), e.g. gil-refs (repeat or comma-separate)")
    p.add_argument("--cfg", action="append", default=[], metavar="FLAG",
                   help="--cfg flag(s), e.g. pyo3_disable_reference_pool")
    out = p.add_mutually_exclusive_group(required=True)
    out.add_argument("--html", metavar="OUT", help="write a self-contained HTML player (overwrites OUT)")
    out.add_argument("--svg", metavar="DIR", help="write one SVG per step into DIR (overwrites step-*.svg)")
    out.add_argument("--gif", metavar="OUT", help="write an animated GIF (overwrites OUT)")
    p.add_argument("--steps", metavar="A:B", help="only steps A … B-1 (0-based); needed for traces "
                   f"over {budget.MAX_FRAMES:,} frames")
    p.add_argument("--title", help="title shown above the player")
    p.add_argument("--delay", type=int, default=1200, help="GIF frame delay in ms (default 1200)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def _split(values) -> tuple:
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())


@contextlib.contextmanager
def _progress(total: int, quiet: bool, what: str):
    """A tick callback for a tqdm bar on long renders, closed when the block ends; a no-op
    callback when quiet, short or tqdm is missing."""
    tqdm = None
    if not quiet and total >= 20:
        with contextlib.suppress(ImportError):
            from tqdm import tqdm
    if tqdm is None:
        yield lambda k: None
        return
    with tqdm(total=total, unit="frame", desc=what, file=sys.stderr, leave=False) as bar:
        yield bar.update


class StepRange:
    """Steps lo … hi-1 of a trace, looking to the views like a trace of its own."""

    def __init__(self, trace, lo, hi):
        self._t, self._lo, self._hi = trace, lo, hi
        self.steps = trace.steps[lo:hi]

    def iter_states(self, start=0, stop=None, every=1):
        stop = len(self.steps) if stop is None else min(stop, len(self.steps))
        for i, st in self._t.iter_states(self._lo + start, self._lo + stop, every):
            yield i - self._lo, st

    def __getattr__(self, name):
        return getattr(self._t, name)


def main(argv=None) -> int:
    from ..cli import guarded
    return guarded(_main, argv, "render")


def _own_args(argv) -> list:
    """The command line's arguments (``sys.argv``'s when none are given), without the
    ``render`` in front that the package's CLI passes on."""
    argv = list(sys.argv[1:] if argv is None else argv)
    return argv[1:] if argv[:1] == ["render"] else argv


def _main(argv) -> int:
    args = _parser().parse_args(_own_args(argv))
    _check_args(args)
    traces = _traces(args)
    if len(traces) > 1 and not args.html:
        raise budget.OutputError("several --pyo3 releases only combine in --html")
    narrowed = [_narrow(t, args.steps, gif=bool(args.gif)) for t in traces]
    try:
        _write(args, narrowed)
    except GraphvizMissing as exc:
        print(f"render: {exc}", file=sys.stderr)
        return 3
    return 0


def _check_args(args) -> None:
    """Refuse bad option values and unwritable outputs before any work."""
    if not 0 <= args.delay <= 60_000:
        raise budget.OutputError("--delay must be between 0 and 60000 ms")
    if args.title is not None and len(args.title) > 200:
        raise budget.OutputError("--title is longer than 200 characters")
    if args.svg:
        budget.check_output(args.svg, directory=True)
    else:
        budget.check_output(args.html or args.gif)


def _write(args, narrowed) -> None:
    """The one output the options ask for (--html takes every release, the others one)."""
    if args.html:
        _write_html([t for t, _ in narrowed], args)
    elif args.svg:
        _write_svgs(*narrowed[0], args)
    else:
        _write_gif(*narrowed[0], args)


def _traces(args):
    """One trace per --pyo3 release, with the same defaults as `run` (see cli.settings)."""
    import bound_demo
    from ..cli import resolve, settings
    program, scenario = resolve(args.file)
    out = []
    for r in args.pyo3 or [None]:
        pyo3, f, c = settings(scenario, r, _split(args.features), _split(args.cfg))
        out.append(bound_demo.run(program, pyo3=pyo3, features=f, cfg=c))
    return out


def _narrow(trace, spec, gif=False):
    """(the trace or the --steps range of it, what its frames draw); refused when over the
    frame caps."""
    n = len(trace.steps)
    lo, hi = budget.step_range(spec, n)
    if gif:
        budget.check_frames(hi - lo, n, budget.MAX_GIF_FRAMES, "a GIF")
    budget.check_frames(hi - lo, n)
    view = trace if (lo, hi) == (0, n) else StepRange(trace, lo, hi)
    # Every frame is drawn once here to measure it, before anything is rendered; the same
    # pass finds what the exports' legend lists, so that no third pass is needed for it.
    sizes, seen = measure(view, caption=True)
    budget.check_dot(sizes, n)
    return view, seen


def _title(traces, args):
    return args.title or getattr(traces[0], "title", None) or os.path.basename(args.file)


def _write_html(traces, args):
    """The page is written as it is made (see player.write_player): a chunk of frames in
    memory at a time, whatever the number of steps."""
    from .player import write_player
    total = sum(len(t.steps) for t in traces)
    title = _title(traces, args)
    with _progress(total, args.quiet, "frames") as tick, _atomic_text(args.html) as out:
        out.write(f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                  f'<meta name="viewport" content="width=device-width,initial-scale=1">'
                  f"<title>{html.escape(title)}</title></head><body>")
        write_player(out, traces, title=title, progress=tick)
        out.write("</body></html>")


@contextlib.contextmanager
def _atomic_text(path):
    """A text file that replaces ``path`` only once it is complete, as budget.write_atomic
    does for data already in memory: a failure leaves the old file (or none), never half a
    file. A device or a pipe (/dev/stdout) is written into, never replaced."""
    full = os.path.abspath(path)
    if os.path.exists(full) and not os.path.isfile(full):
        with open(full, "w", encoding="utf-8", newline="") as fh:
            yield fh
        return
    fd, tmp = budget.temp_beside(full)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
        os.replace(tmp, full)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _chunks(trace, seen, render, progress):
    """(position, document, graph) for every frame, drawn one at a time and rendered CHUNK
    frames at a time, with the legend of the whole trace in each (exports have no page)."""
    frames = iter_trace(trace, caption=True, legend=seen)
    steps = len(trace.steps)
    # The first frame alone: frames are about the same size (each keeps room for all the
    # trace shows), so checks on it refuse a render after one frame's work, not a chunk's.
    starts = [0] + list(range(1, steps, CHUNK))
    for c, e in zip(starts, starts[1:] + [steps]):
        graphs = list(islice(frames, e - c))
        for k, doc in enumerate(render(graphs, progress=progress)):
            yield c + k, doc, graphs[k]


def _write_svgs(trace, seen, args):
    os.makedirs(args.svg, exist_ok=True)
    n = len(trace.steps)
    width = max(4, len(str(n)))
    with _progress(n, args.quiet, "frames") as tick:
        for i, svg, g in _chunks(trace, seen, render_svgs, tick):
            # Themed for both colour schemes, with the frame's text alternative as <title>/<desc>.
            svg = standalone(svg, title=f"step {i + 1} / {n}: {trace.steps[i].caption}",
                             desc=describe(g.bd_state, trace))
            budget.write_atomic(os.path.join(args.svg, f"step-{i + 1:0{width}d}.svg"),
                                '<?xml version="1.0" encoding="UTF-8"?>\n' + svg)


def _write_gif(trace, seen, args):
    """Frames go to a temporary directory as PNGs, then into the GIF one at a time: memory
    holds one frame, whatever the number of frames."""
    try:
        from PIL import GifImagePlugin, Image
    except ImportError:
        raise budget.OutputError("--gif needs Pillow (pip install -r requirements.txt)") from None
    import io
    with tempfile.TemporaryDirectory(prefix="bd-gif-") as tmp:
        w = h = 0
        paths = []
        with _progress(len(trace.steps), args.quiet, "frames") as tick:
            for i, png, _ in _chunks(trace, seen, render_pngs, tick):
                with Image.open(io.BytesIO(png)) as im:
                    w, h = max(w, im.width), max(h, im.height)
                _check_gif(i, w, h, len(trace.steps))
                paths.append(os.path.join(tmp, f"{i}.png"))
                with open(paths[-1], "wb") as fh:
                    fh.write(png)
        data = _gif_bytes(paths, (w, h), args.delay, Image, GifImagePlugin)
    budget.write_atomic(args.gif, data)


def _check_gif(i, w, h, frames):
    """Checked as each frame grows the canvas, so at most a frame's work is done in vain."""
    if w * h > budget.MAX_GIF_PIXELS:
        raise budget.OutputError(f"frame {i + 1} makes the GIF canvas {w}×{h} pixels, over the cap "
                                 f"of {budget.MAX_GIF_PIXELS:,}: use --svg or --html instead")
    if w * h * frames > budget.MAX_GIF_TOTAL_PIXELS:
        raise budget.OutputError(f"{frames:,} frames of {w}×{h} pixels are over the cap of "
                                 f"{budget.MAX_GIF_TOTAL_PIXELS:,} pixels for a GIF: choose a range "
                                 "of steps with --steps A:B, or use --svg or --html")


def _gif_bytes(paths, size, delay, Image, GifImagePlugin):
    """An animated GIF of the PNG files, built one frame at a time (Pillow's own save_all
    keeps every frame in memory)."""
    palette = _gif_palette(Image)
    out = bytearray()
    for k, path in enumerate(paths):
        with Image.open(path) as im:
            # GIF frames share one canvas: pad every frame to the largest, on white, top-left.
            canvas = Image.new("RGB", size, "white")
            canvas.paste(im.convert("RGB"), (0, 0))
        # A fixed palette keeps the Okabe-Ito colours exact in every frame (an adaptive
        # palette merged blue into green); no dithering keeps flat areas flat.
        frame = canvas.quantize(palette=palette, dither=Image.Dither.NONE)
        if k == 0:
            header, _ = GifImagePlugin.getheader(frame, info={"loop": 0, "duration": delay})
            out += b"".join(header)
        out += b"".join(GifImagePlugin.getdata(frame, duration=delay))
    out += b";"
    return bytes(out)


def _gif_palette(Image):
    """A 256-colour palette: each view colour blended with white in 14 steps, plus greys."""
    from . import palette as P
    base = [P.ORANGE, P.SKY, P.GREEN, P.YELLOW, P.BLUE, P.VERMILLION, P.PURPLE, P.BLACK,
            P.FREED, P.LIGHT, P.GREY, P.MUTED, P.MARK]
    colours = []
    for hexcolour in base:
        r, g, b = (int(hexcolour[i:i + 2], 16) for i in (1, 3, 5))
        for k in range(14):
            t = k / 14
            colours.append((round(r + (255 - r) * t), round(g + (255 - g) * t), round(b + (255 - b) * t)))
    colours += [(v, v, v) for v in range(0, 256, 256 // (256 - len(colours) - 1))]
    colours = (colours + [(255, 255, 255)] * 256)[:256]
    img = Image.new("P", (1, 1))
    img.putpalette([c for rgb in colours for c in rgb])
    return img


if __name__ == "__main__":
    sys.exit(main())
