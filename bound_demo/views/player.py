"""``player_html``: a self-contained step player for one or more traces.

The output is one HTML block: inline CSS, the first frame as plain inline SVG
(readable with JavaScript off), the frames packed as shared SVG fragments in a
JavaScript literal, and a small vanilla script. No CDN, no kernel, no ids shared
between two players, so several can sit on one mkdocs page.
"""
from __future__ import annotations

import html
import json
import uuid

from .frame import draw_step
from .labels import release_label
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


def rust_listing(trace) -> tuple:
    """(listing lines, listing row for each step): the program's Rust source with
    the row each step stands for; without a source, one generated line per op."""
    steps = list(trace.steps)
    if getattr(trace, "rust", None):
        lines = trace.rust.splitlines()
        rows = [(s.line - 1) if (s.line and 0 < s.line <= len(lines)) else -1 for s in steps]
        return lines, rows
    order: dict = {}
    lines = []
    for s in steps:
        if s.op_path not in order:
            order[s.op_path] = len(lines)
            lines.append(str(s.rust or s.op_path or ""))
    return lines, [order[s.op_path] for s in steps]


def _notes(trace, step, last: bool) -> str:
    notes = list(getattr(step, "notes", None) or [])
    err = getattr(trace, "error", None)
    if last and err is not None and err.message != getattr(step, "caption", None):
        # A compile error is usually the last step's caption already; say it once.
        notes.append(f"{err.kind} at {err.op_path}: {err.message}")
    return " · ".join(str(n) for n in notes)


def player_data(traces, *, interval_ms: int = 900, progress=None) -> tuple:
    """Everything the script needs, plus each pane's first frame as full SVG."""
    graphs = []
    for t in traces:
        graphs += [draw_step(s, trace=t) for s in t.steps]
    svgs = render_svgs(graphs, progress=progress)
    packer = Packer()
    panes, pos = [], 0
    for t in traces:
        steps = list(t.steps)
        frames = [packer.add(svg) for svg in svgs[pos:pos + len(steps)]]
        pos += len(steps)
        lines, rows = rust_listing(t)
        panes.append({
            "frames": frames,
            "captions": [s.caption for s in steps],
            "notes": [_notes(t, s, i == len(steps) - 1) for i, s in enumerate(steps)],
            "rows": rows,
            "_lines": lines,
            "_label": release_label(t),
            "_probes": [i for i, s in enumerate(steps) if s.event == "probe"],
        })
    data = {"parts": packer.parts, "timeline": [list(p) for p in align(traces)],
            "panes": panes, "interval": interval_ms}
    firsts = [packer.join(p["frames"][0]) for p in panes]
    return data, firsts


def _script_json(obj) -> str:
    """JSON that is safe inside an inline <script>: no '</' or '<!--' can end it early."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def player_html(trace_or_traces, *, title: str | None = None, interval_ms: int = 900,
                progress=None) -> str:
    """A self-contained HTML player; several traces play side by side in lockstep."""
    traces = _as_traces(trace_or_traces)
    data, firsts = player_data(traces, interval_ms=interval_ms, progress=progress)
    n = len(data["timeline"])
    pid = "bd-" + uuid.uuid4().hex[:12]
    title = title if title is not None else (getattr(traces[0], "title", None) or "")
    e = lambda s: html.escape(str(s), quote=True)  # noqa: E731
    first = data["timeline"][0]
    panes_html = []
    for p, pane in enumerate(data["panes"]):
        s0 = first[p]
        rows = "".join(
            f'<span class="bd-line{" bd-current" if r == pane["rows"][s0] else ""}">{e(line) or " "}</span>'
            for r, line in enumerate(pane.pop("_lines")))
        panes_html.append(
            f'<div class="bd-pane"><div class="bd-release">{e(pane.pop("_label"))}</div>'
            f'<div class="bd-caption" aria-live="polite">{e(pane["captions"][s0])}</div>'
            f'<div class="bd-notes">{e(pane["notes"][s0])}</div>'
            f'<pre class="bd-rust"><code>{rows}</code></pre>'
            f'<div class="bd-frame">{firsts[p]}</div></div>')
    probes = sorted({i for pane in data["panes"] for i in pane.pop("_probes")})
    ticks = "".join(f'<option value="{i}"></option>' for i in probes if i < n)
    buttons = "".join(
        f'<button type="button" data-bd-action="{a}" title="{t}" aria-label="{t}">{g}</button>'
        for a, g, t in (("first", "|◀", "first step (Home)"), ("prev", "◀", "previous step (←)"),
                        ("play", "▶ play", "play / pause"), ("next", "▶", "next step (→)"),
                        ("last", "▶|", "last step (End)")))
    return (
        f'<div class="bd-player" id="{pid}" data-bd-player data-bd-step="0" data-bd-steps="{n}" '
        f'tabindex="0" role="group" aria-label="{e(title or "bound_demo step player")}">'
        f"<style>{CSS}</style>"
        + (f'<div class="bd-title">{e(title)}</div>' if title else "")
        + f'<div class="bd-controls">{buttons}'
        f'<input class="bd-slider" type="range" min="0" max="{n - 1}" value="0" step="1" '
        f'aria-label="step" list="{pid}-ticks"><datalist id="{pid}-ticks">{ticks}</datalist>'
        f'<span class="bd-counter">step 1 / {n}</span></div>'
        f'<div class="bd-panes">{"".join(panes_html)}</div>'
        f"<script>{JS}\nBoundDemoPlayer.mount(document.getElementById({json.dumps(pid)}),"
        f"{_script_json(data)});</script></div>")
