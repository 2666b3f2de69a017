"""``player_html``: a self-contained step player for one or more traces.

The output is one HTML block: inline CSS, the first frame as plain inline SVG
(readable with JavaScript off), the frames packed as shared SVG fragments in a
JavaScript literal, and a small vanilla script. No CDN, no kernel, no ids shared
between two players, so several can sit on one mkdocs page.
"""
from __future__ import annotations

import hashlib
import html
import json

from .access import states
from .describe import describe
from .frame import draw_step
from .legend import legend_html, union
from .labels import release_label
from .listing import rust_listing  # noqa: F401  (re-exported: tests and live.py import it here)
from .player_assets import CSS, JS
from .render import render_svgs
from .svgpack import Packer
from .timeline import align


def _as_traces(trace_or_traces) -> list:
    if isinstance(trace_or_traces, (list, tuple)):
        traces = list(trace_or_traces)
    else:
        traces = [trace_or_traces]
    if not traces:
        raise ValueError("player_html needs at least one trace")
    for t in traces:
        if len(t.steps) == 0:
            raise ValueError("cannot play a trace with no steps")
    return traces


def _notes(trace, step, last: bool) -> str:
    notes = list(getattr(step, "notes", None) or [])
    err = getattr(trace, "error", None)
    if last and err is not None and err.message != getattr(step, "caption", None):
        # A compile error is usually the last step's caption already; say it once.
        notes.append(f"{err.kind} at {err.op_path}: {err.message}")
    return " · ".join(str(n) for n in notes)


def _draw_all(t):
    """Every frame of one trace, each drawn with the state before it (for deltas), plus
    each step's text alternative; states come from one forward replay."""
    graphs, alts, before = [], [], None
    for _, step, st in states(t):
        graphs.append(draw_step(step, trace=t, state=st, before=before))
        alts.append(describe(st, t))
        before = st
    return graphs, alts


def player_data(traces, *, interval_ms: int = 900, progress=None) -> tuple:
    """Everything the script needs, plus each pane's first frame as full SVG and the one
    legend of the player (the arrows and marks its frames draw)."""
    graphs, alts = [], []
    for t in traces:
        g, a = _draw_all(t)
        graphs += g
        alts.append(a)
    svgs = render_svgs(graphs, progress=progress)
    seen = union(getattr(g, "bd_seen", None) for g in graphs)
    packer = Packer()
    panes, pos = [], 0
    for t, pane_alts in zip(traces, alts):
        steps = list(t.steps)
        frames = [packer.add(svg) for svg in svgs[pos:pos + len(steps)]]
        pos += len(steps)
        lines, rows = rust_listing(t)
        panes.append({
            "frames": frames,
            "captions": [s.caption for s in steps],
            "notes": [_notes(t, s, i == len(steps) - 1) for i, s in enumerate(steps)],
            "rows": rows,
            "alts": pane_alts,
            "_lines": lines,
            "_label": release_label(t),
            "_probes": [i for i, s in enumerate(steps) if s.event == "probe"],
        })
    data = {"parts": packer.parts, "timeline": [list(p) for p in align(traces)],
            "panes": panes, "interval": interval_ms}
    firsts = [packer.join(p["frames"][0]) for p in panes]
    return data, firsts, legend_html(seen)


def _script_json(obj) -> str:
    """JSON that is safe inside an inline <script>: no '<' at all, so neither '</script',
    '<!--' nor '<script' can change how the HTML parser reads the script's text."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c")


_ids_made: dict = {}  # player content -> how many players of it this process made


def _player_id(data, title) -> str:
    """An id derived from the player's content, not drawn at random, so the same input gives
    the same bytes. The same player made again in one process (twice on one page) gets a
    numbered id, so no two players of a page share one."""
    content = _script_json([data, title]).encode("utf-8")
    n = _ids_made[content] = _ids_made.get(content, 0) + 1
    digest = hashlib.sha256(content + (b"#%d" % n if n > 1 else b"")).hexdigest()
    return f"bd-{digest[:12]}"
def _e(s) -> str:
    return html.escape(str(s), quote=True)


def _listing_html(lines, current: int) -> str:
    return "".join(
        f'<span class="bd-line bd-current" data-bd-line-current>{_e(line) or " "}</span>' if r == current
        else f'<span class="bd-line">{_e(line) or " "}</span>'
        for r, line in enumerate(lines))


def _pane_html(pid: str, p: int, pane: dict, s0: int, first_svg: str) -> str:
    """One release's column; the frame's SVG is described by the hidden text beside it."""
    alt_id = f"{pid}-alt{p}"
    svg = first_svg.replace('<svg class="bd-svg"', f'<svg class="bd-svg" role="img" '
                            f'aria-label="{_e(pane["_label"] or "frame")}: step {s0 + 1}" '
                            f'aria-describedby="{alt_id}"', 1)
    return (f'<div class="bd-pane"><div class="bd-release">{_e(pane.pop("_label"))}</div>'
            f'<div class="bd-caption" aria-live="polite">{_e(pane["captions"][s0])}</div>'
            f'<div class="bd-notes">{_e(pane["notes"][s0])}</div>'
            f'<pre class="bd-rust" tabindex="0" aria-label="Rust source"><code>'
            f'{_listing_html(pane.pop("_lines"), pane["rows"][s0])}</code></pre>'
            f'<div class="bd-frame">{svg}</div>'
            f'<div class="bd-alt" id="{alt_id}">{_e(pane["alts"][s0])}</div></div>')


BUTTONS = (("first", "|◀", "first step (Home)"), ("prev", "◀", "previous step (←)"),
           ("play", "▶ play", "play / pause"), ("next", "▶", "next step (→)"),
           ("last", "▶|", "last step (End)"))


def player_html(trace_or_traces, *, title: str | None = None, interval_ms: int = 900,
                progress=None) -> str:
    """A self-contained HTML player; several traces play side by side in lockstep."""
    traces = _as_traces(trace_or_traces)
    data, firsts, legend = player_data(traces, interval_ms=interval_ms, progress=progress)
    n = len(data["timeline"])
    pid = _player_id(data, title)
    title = title if title is not None else (getattr(traces[0], "title", None) or "")
    first = data["timeline"][0]
    panes_html = [_pane_html(pid, p, pane, first[p], firsts[p]) for p, pane in enumerate(data["panes"])]
    probes = sorted({i for pane in data["panes"] for i in pane.pop("_probes")})
    ticks = "".join(f'<option value="{i}"></option>' for i in probes if i < n)
    buttons = "".join(
        f'<button type="button" data-bd-action="{a}" title="{t}" aria-label="{t}">{g}</button>'
        for a, g, t in BUTTONS)
    return (
        f'<div class="bd-player" id="{pid}" data-bd-player data-bd-step="0" data-bd-steps="{n}" '
        f'tabindex="0" role="group" aria-label="{_e(title or "bound_demo step player")}" '
        f'aria-keyshortcuts="ArrowLeft ArrowRight Home End">'
        f"<style>{CSS}</style>"
        + (f'<div class="bd-title">{_e(title)}</div>' if title else "")
        + f'<div class="bd-controls">{buttons}'
        f'<input class="bd-slider" type="range" min="0" max="{n - 1}" value="0" step="1" '
        f'aria-label="step" list="{pid}-ticks"><datalist id="{pid}-ticks">{ticks}</datalist>'
        f'<span class="bd-counter">step 1 / {n}</span></div>'
        f'<div class="bd-panes">{"".join(panes_html)}</div>{legend}'
        f"<script>{JS}\nBoundDemoPlayer.mount(document.getElementById({json.dumps(pid)}),"
        f"{_script_json(data)});</script></div>")
