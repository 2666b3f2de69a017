"""``render``: write a program's step player or frames to files.

    python -m bound_demo render FILE --pyo3 0.21 [--features gil-refs] [--cfg FLAG]
                                     (--html OUT.html | --svg DIR | --gif OUT.gif)

``--pyo3`` may be repeated for --html (releases side by side). Long renders show
a tqdm progress bar on stderr. The lead's CLI routes ``render`` here; running this
module directly works too.
"""
from __future__ import annotations

import argparse
import html
import os
import sys

from .describe import describe
from .frame import draw_trace
from .svgpack import standalone
from .render import GraphvizMissing, render_pngs, render_svgs


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bound_demo render",
                                description="Render a bound_demo program as a step player or frames.")
    p.add_argument("file", help="program file (JSON, format bound_demo.program/1)")
    p.add_argument("--pyo3", action="append", metavar="RELEASE",
                   help="PyO3 release, e.g. 0.21 (repeat for side-by-side HTML)")
    p.add_argument("--features", action="append", default=[], metavar="FEATURE",
                   help="Cargo feature(s), e.g. gil-refs (repeat or comma-separate)")
    p.add_argument("--cfg", action="append", default=[], metavar="FLAG",
                   help="--cfg flag(s), e.g. pyo3_disable_reference_pool")
    out = p.add_mutually_exclusive_group(required=True)
    out.add_argument("--html", metavar="OUT", help="write a self-contained HTML player")
    out.add_argument("--svg", metavar="DIR", help="write one SVG per step into DIR")
    out.add_argument("--gif", metavar="OUT", help="write an animated GIF")
    p.add_argument("--title", help="title shown above the player")
    p.add_argument("--delay", type=int, default=1200, help="GIF frame delay in ms (default 1200)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def _split(values) -> tuple:
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())


def _progress(total: int, quiet: bool, what: str):
    """A tqdm bar for long renders; a no-op callback when quiet or tqdm is missing."""
    if quiet or total < 20:
        return None, lambda k: None
    try:
        from tqdm import tqdm
    except ImportError:
        return None, lambda k: None
    bar = tqdm(total=total, unit="frame", desc=what, file=sys.stderr, leave=False)
    return bar, bar.update


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["render"]:
        argv = argv[1:]
    args = _parser().parse_args(argv)
    import bound_demo
    from .releases import allowed
    releases = args.pyo3 or [None]
    features, cfg = _split(args.features), _split(args.cfg)
    try:
        traces = []
        for r in releases:
            kw = {} if r is None else {"pyo3": r}
            f, c = (features, cfg) if r is None else (allowed(features, r), allowed(cfg, r))
            traces.append(bound_demo.run(args.file, features=f, cfg=c, **kw))
    except (ValueError, OSError) as exc:
        print(f"render: {exc}", file=sys.stderr)
        return 2
    if len(traces) > 1 and not args.html:
        print("render: several --pyo3 releases only combine in --html", file=sys.stderr)
        return 2
    try:
        if args.html:
            _write_html(traces, args)
        elif args.svg:
            _write_svgs(traces[0], args)
        else:
            _write_gif(traces[0], args)
    except GraphvizMissing as exc:
        print(f"render: {exc}", file=sys.stderr)
        return 3
    return 0


def _write_html(traces, args):
    from .player import player_html
    total = sum(len(t.steps) for t in traces)
    bar, tick = _progress(total, args.quiet, "frames")
    title = args.title or getattr(traces[0], "title", None) or os.path.basename(args.file)
    block = player_html(traces, title=title, progress=tick)
    if bar:
        bar.close()
    page = (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{html.escape(title)}</title></head><body>{block}</body></html>")
    with open(args.html, "w", encoding="utf-8") as fh:
        fh.write(page)


def _write_svgs(trace, args):
    os.makedirs(args.svg, exist_ok=True)
    bar, tick = _progress(len(trace.steps), args.quiet, "frames")
    graphs = draw_trace(trace, caption=True, legend=True)
    svgs = render_svgs(graphs, progress=tick)
    if bar:
        bar.close()
    width = max(4, len(str(len(svgs))))
    for i, (svg, g) in enumerate(zip(svgs, graphs)):
        # Themed for both colour schemes, with the frame's text alternative as <title>/<desc>.
        svg = standalone(svg, title=f"step {i + 1} / {len(svgs)}: {trace.steps[i].caption}",
                         desc=describe(g.bd_state, trace))
        with open(os.path.join(args.svg, f"step-{i + 1:0{width}d}.svg"), "w", encoding="utf-8") as fh:
            fh.write('<?xml version="1.0" encoding="UTF-8"?>\n' + svg)


def _write_gif(trace, args):
    try:
        from PIL import Image
    except ImportError:
        raise SystemExit("render: --gif needs Pillow (pip install -r requirements.txt)")
    import io
    bar, tick = _progress(len(trace.steps), args.quiet, "frames")
    pngs = render_pngs(draw_trace(trace, caption=True, legend=True), progress=tick)
    if bar:
        bar.close()
    images = [Image.open(io.BytesIO(p)).convert("RGB") for p in pngs]
    palette = _gif_palette(Image)
    # GIF frames share one canvas: pad every frame to the largest, on white, top-left.
    w = max(im.width for im in images)
    h = max(im.height for im in images)
    frames = []
    for im in images:
        canvas = Image.new("RGB", (w, h), "white")
        canvas.paste(im, (0, 0))
        # A fixed palette keeps the Okabe-Ito colours exact in every frame (an
        # adaptive palette merged blue into green); no dithering keeps flat areas flat.
        frames.append(canvas.quantize(palette=palette, dither=Image.Dither.NONE))
    frames[0].save(args.gif, save_all=True, append_images=frames[1:], duration=args.delay,
                   loop=0, optimize=True)


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
