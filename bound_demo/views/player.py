"""``player_html``: a self-contained step player for one or more traces.

The output is one HTML block: inline CSS, the first frame as plain inline SVG
(readable with JavaScript off), the frames packed as shared SVG fragments in a
JavaScript literal, and a small vanilla script. No CDN, no kernel, no ids shared
between two players, so several can sit on one mkdocs page.
"""
from __future__ import annotations

import hashlib
import html
import io
import json
import tempfile

from .access import states
from .describe import describe, step_notes
from .frame import draw_step
from .legend import legend_html, union
from .labels import release_label
from .listing import rust_listing  # noqa: F401  (re-exported: tests and live.py import it here)
from .player_assets import CSS, JS
from .render import render_svgs
from .svgpack import FOOTER, minify, split
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
    return " · ".join(str(n) for n in step_notes(trace, step, last))


CHUNK = 32  # frames drawn and rendered at a time: a player holds one chunk, never the trace's all


class _Spool:
    """A player's frames and text alternatives, kept in temporary files as they are rendered.

    Frames share one table of unique SVG fragments (see svgpack); the table is written out as
    it grows, and only a digest of each fragment stays in memory to find repeats. Each pane
    keeps its frames' fragment lists and its alternatives in files of its own. Memory then
    holds one chunk of frames, whatever the number of steps.
    """

    def __init__(self):
        self.parts = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.n_parts = 0
        self._index: dict = {}
        self.seen = union(())
        self.panes: list = []  # one (frames file, alternatives file) per pane

    def add(self, svg: str) -> tuple:
        """(fragment ids, fragments) of one rendered frame; new fragments go to the file."""
        ids, parts = [], split(minify(svg))
        for part in parts:
            key = hashlib.sha1(part.encode("utf-8")).digest()
            i = self._index.get(key)
            if i is None:
                i = self._index[key] = self.n_parts
                self.parts.write(("," if i else "") + _script_json(part))
                self.n_parts += 1
            ids.append(i)
        return ids, parts

    def close(self) -> None:
        self.parts.close()
        for frames, alts in self.panes:
            frames.close()
            alts.close()


def _chunks(t):
    """(step index, graph, text alternative) for every step of one trace, CHUNK at a time,
    each frame drawn with the state before it (for deltas); states come from one forward
    replay."""
    batch, before = [], None
    for i, step, st in states(t):
        batch.append((i, draw_step(step, trace=t, state=st, before=before), describe(st, t)))
        before = st
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _spool_pane(spool: _Spool, t, s0: int, progress) -> tuple:
    """Render one trace's frames into the spool; returns (first frame's SVG, alternative of
    step s0), the only ones the HTML around the script shows."""
    pane = _PaneSpool(s0)
    spool.panes.append((pane.frames, pane.alts))
    for batch in _chunks(t):
        graphs = [g for _, g, _ in batch]
        spool.seen = union([spool.seen] + [getattr(g, "bd_seen", None) for g in graphs])
        for (i, _, alt), svg in zip(batch, render_svgs(graphs, progress=progress)):
            pane.add(i, spool.add(svg), alt)
    return pane.first, pane.alt0


class _PaneSpool:
    """One pane's spooled frame lists and alternatives, and the two texts the HTML shows."""

    def __init__(self, s0: int):
        self.frames = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.alts = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.s0, self.first, self.alt0 = s0, None, None

    def add(self, i: int, packed: tuple, alt: str) -> None:
        ids, parts = packed
        if i == 0:
            self.first = "".join(parts) + FOOTER
        if i == self.s0:
            self.alt0 = alt
        sep = "," if i else ""
        self.frames.write(sep + _script_json(ids))
        self.alts.write(sep + _script_json(alt))


def _copy(f):
    """The text of a spooled file, in blocks."""
    f.seek(0)
    while True:
        block = f.read(1 << 16)
        if not block:
            return
        yield block


def _pane_meta(t) -> dict:
    """What a pane needs besides its frames: texts per step and the Rust listing."""
    steps = list(t.steps)
    lines, rows = rust_listing(t)
    return {"captions": [s.caption for s in steps],
            "notes": [_notes(t, s, i == len(steps) - 1) for i, s in enumerate(steps)],
            "rows": rows, "_lines": lines, "_label": release_label(t),
            "_probes": [i for i, s in enumerate(steps) if s.event == "probe"]}


def _data_pieces(spool: _Spool, timeline, metas, interval_ms, private: bool):
    """The player's data as script-safe JSON, piece by piece, byte for byte what
    ``_script_json`` gives for the whole object (keys in the same order). ``private`` adds
    the underscored keys, which the player's id is derived from but the page never ships."""
    yield '{"parts":['
    yield from _copy(spool.parts)
    yield '],"timeline":' + _script_json([list(p) for p in timeline]) + ',"panes":['
    for p, (files, meta) in enumerate(zip(spool.panes, metas)):
        yield "," if p else ""
        yield from _pane_pieces(files, meta, private)
    yield '],"interval":' + _script_json(interval_ms) + "}"


def _keys(meta, keys) -> str:
    return "".join(f',"{k}":{_script_json(meta[k])}' for k in keys)


def _pane_pieces(files, meta, private: bool):
    """One pane's object: frames, its texts, alternatives (and the private keys)."""
    frames, alts = files
    yield '{"frames":['
    yield from _copy(frames)
    yield "]" + _keys(meta, ("captions", "notes", "rows")) + ',"alts":['
    yield from _copy(alts)
    yield "]" + _keys(meta, ("_lines", "_label", "_probes") if private else ()) + "}"


def _script_json(obj) -> str:
    """JSON that is safe inside an inline <script>: no '<' at all, so neither '</script',
    '<!--' nor '<script' can change how the HTML parser reads the script's text."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c")


_ids_made: dict = {}  # digest of a player's content -> how many players of it this process made


def _player_id(pieces, title) -> str:
    """An id derived from the player's content (its data, then its title), not drawn at
    random, so the same input gives the same bytes. The same player made again in one process
    (twice on one page) gets a numbered id, so no two players of a page share one."""
    h = hashlib.sha256(b"[")
    for piece in pieces:
        h.update(piece.encode("utf-8"))
    h.update(("," + _script_json(title) + "]").encode("utf-8"))
    key = h.digest()
    n = _ids_made[key] = _ids_made.get(key, 0) + 1
    if n > 1:
        h.update(b"#%d" % n)
    return f"bd-{h.hexdigest()[:12]}"


def _e(s) -> str:
    return html.escape(str(s), quote=True)


# The attributes of a listing line, by whether it is the line the shown step stands for.
_LINE_ATTRS = {True: 'class="bd-line bd-current" data-bd-line-current', False: 'class="bd-line"'}


def _listing_html(lines, current: int) -> str:
    # An empty line keeps a space, so it keeps its height.
    return "".join(f'<span {_LINE_ATTRS[r == current]}>{_e(line) or " "}</span>'
                   for r, line in enumerate(lines))


def _pane_html(pid: str, p: int, pane: dict, s0: int, first_svg: str, alt: str) -> str:
    """One release's column; the frame's SVG is described by the hidden text beside it."""
    alt_id = f"{pid}-alt{p}"
    svg = first_svg.replace('<svg class="bd-svg"', f'<svg class="bd-svg" role="img" '
                            f'aria-label="{_e(pane["_label"] or "frame")}: step {s0 + 1}" '
                            f'aria-describedby="{alt_id}"', 1)
    return (f'<div class="bd-pane"><div class="bd-release">{_e(pane["_label"])}</div>'
            f'<div class="bd-caption" aria-live="polite">{_e(pane["captions"][s0])}</div>'
            f'<div class="bd-notes">{_e(pane["notes"][s0])}</div>'
            f'<pre class="bd-rust" tabindex="0" aria-label="Rust source"><code>'
            f'{_listing_html(pane["_lines"], pane["rows"][s0])}</code></pre>'
            f'<div class="bd-frame">{svg}</div>'
            f'<div class="bd-alt" id="{alt_id}">{_e(alt)}</div></div>')


BUTTONS = (("first", "|◀", "first step (Home)"), ("prev", "◀", "previous step (←)"),
           ("play", "▶ play", "play / pause"), ("next", "▶", "next step (→)"),
           ("last", "▶|", "last step (End)"))


def player_html(trace_or_traces, *, title: str | None = None, interval_ms: int = 900,
                progress=None) -> str:
    """A self-contained HTML player; several traces play side by side in lockstep."""
    out = io.StringIO()
    write_player(out, trace_or_traces, title=title, interval_ms=interval_ms, progress=progress)
    return out.getvalue()


def write_player(out, trace_or_traces, *, title: str | None = None, interval_ms: int = 900,
                 progress=None) -> None:
    """Write ``player_html``'s text to the text file ``out`` as it is made: frames are drawn
    and rendered a chunk at a time and spooled to temporary files, so memory does not grow
    with the number of frames."""
    traces = _as_traces(trace_or_traces)
    timeline = align(traces)
    metas = [_pane_meta(t) for t in traces]
    spool = _Spool()
    try:
        shown = [_spool_pane(spool, t, timeline[0][p], progress) for p, t in enumerate(traces)]
        pid = _player_id(_data_pieces(spool, timeline, metas, interval_ms, True), title)
        out.write(_head_html(pid, traces, title, timeline, metas, shown, legend_html(spool.seen)))
        for piece in _data_pieces(spool, timeline, metas, interval_ms, False):
            out.write(piece)
        out.write(");</script></div>")
    finally:
        spool.close()


def _head_html(pid, traces, title, timeline, metas, shown, legend) -> str:
    """Everything of the player before its data: controls, the first frames, the script."""
    n = len(timeline)
    title = _player_title(title, traces)
    panes_html = "".join(_pane_html(pid, p, meta, timeline[0][p], svg, alt)
                         for p, (meta, (svg, alt)) in enumerate(zip(metas, shown)))
    return (
        f'<div class="bd-player" id="{pid}" data-bd-player data-bd-step="0" data-bd-steps="{n}" '
        f'tabindex="0" role="group" aria-label="{_e(title or "bound_demo step player")}" '
        f'aria-keyshortcuts="ArrowLeft ArrowRight Home End">'
        f"<style>{CSS}</style>" + _title_html(title) + _controls_html(pid, n, metas)
        + f'<div class="bd-panes">{panes_html}</div>{legend}'
        f"<script>{JS}\nBoundDemoPlayer.mount(document.getElementById({json.dumps(pid)}),")


def _player_title(title, traces) -> str:
    """The title asked for, else the first trace's own (a scenario's), else none."""
    return title if title is not None else (getattr(traces[0], "title", None) or "")


def _title_html(title) -> str:
    return f'<div class="bd-title">{_e(title)}</div>' if title else ""


# The buttons are the same in every player.
BUTTONS_HTML = "".join(
    f'<button type="button" data-bd-action="{a}" title="{t}" aria-label="{t}">{g}</button>'
    for a, g, t in BUTTONS)


def _ticks_html(metas, n) -> str:
    """The slider's ticks: one at each step any pane probes (a probe op's step)."""
    probes = sorted({i for meta in metas for i in meta["_probes"] if i < n})
    return "".join(f'<option value="{i}"></option>' for i in probes)


def _controls_html(pid, n, metas) -> str:
    """The buttons, the slider (its ticks at probes) and the step counter."""
    ticks = _ticks_html(metas, n)
    return (f'<div class="bd-controls">{BUTTONS_HTML}'
            f'<input class="bd-slider" type="range" min="0" max="{n - 1}" value="0" step="1" '
            f'aria-label="step" list="{pid}-ticks"><datalist id="{pid}-ticks">{ticks}</datalist>'
            f'<span class="bd-counter">step 1 / {n}</span></div>')
