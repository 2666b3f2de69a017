"""``LivePlayer``: the step player as ipywidgets, for JupyterLab and Binder.

It has the static player's controls plus a release picker, feature and cfg
toggles and a free-threaded checkbox that re-run the program, and an optional second release shown side by
side in lockstep. Frames are rendered in a background thread right after each
run (one batched ``dot`` call) and cached, so moving between steps only swaps a
ready SVG string; a frame not ready yet is rendered on the spot.

It looks and reads like the static player: frames carry their own light/dark theme and a
text alternative (svgpack.standalone), the listing marks the step's true line with
``data-bd-line-current`` in each release's own Rust (views/listing.py), and one legend of
what the frames draw sits below them.
"""
from __future__ import annotations

import html
import threading

import ipywidgets as W

from .access import states
from .describe import describe, step_notes
from .frame import draw_step
from .labels import release_label
from .legend import legend_html, union
from .listing import rust_listing
from .palette import theme_css
from .render import render_svgs
from .svgpack import standalone
from .timeline import align

from .releases import (CFGS, DEFAULT_RELEASE, FEATURES, FREE_THREADED, RELEASES, allowed,
                       free_threaded_python)
from ..text.fallback import LIVE_CLASS, display_with_fallback

NONE = "—"

# The listing's and legend's look, themed like the static player (the frames bring their own).
LIVE_CSS = theme_css(".bd-live") + """
.bd-live .bd-caption{min-height:2.8em}
.bd-live .bd-notes{color:var(--bd-ui-notes)}
.bd-live .bd-release{font-weight:600;color:var(--bd-ui-release)}
.bd-live .bd-rust{font:12px/1.35 ui-monospace,Menlo,Consolas,monospace;background:var(--bd-ui-code-bg);color:var(--bd-ui-fg);max-height:12em;overflow:auto;margin:2px 0;padding:4px 0;white-space:pre}
.bd-live .bd-line{display:block;padding:0 6px 0 1.6em}
.bd-live .bd-line[data-bd-line-current]{background:var(--bd-ui-line-bg);color:var(--bd-ui-line-fg);font-weight:600;padding-left:6px}
.bd-live .bd-frame{overflow:auto}
.bd-live .bd-legend ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:2px 18px}
.bd-live .bd-legend .bd-glyph{font-weight:700;min-width:2.6em;display:inline-block}
.bd-live .bd-legend .bd-swatch{display:inline-block;width:2.6em;height:1em;border:1px solid var(--bd-rule)}
.bd-live button:focus-visible,.bd-live input:focus-visible,.bd-live select:focus-visible{outline:3px solid var(--bd-ui-focus);outline-offset:2px}
"""


def _toggle_tip(name: str) -> str:
    # Says where the option exists, so a greyed-out button explains itself (none exists in 0.20).
    kind, where = ("Cargo feature", FEATURES[name]) if name in FEATURES else ("--cfg flag", CFGS[name])
    span = where[0] if len(where) == 1 else f"{where[0]}–{where[-1]}"
    return f"{kind} {name} (PyO3 {span}): re-run with it on or off"


# Where each toggle exists: the release lines of its feature or cfg flag.
_ALLOWED = {**FEATURES, **CFGS}

FT_LABEL = "free-threaded Python"


def _run(program, pyo3, features, cfg, free_threaded=False):
    import bound_demo
    return bound_demo.run(program, pyo3=pyo3, features=tuple(features), cfg=tuple(cfg),
                          free_threaded=free_threaded)


def _ft_note(releases) -> str:
    """What the free-threaded checkbox does for these releases, or why it is off."""
    builds = [f"PyO3 {r} on Python {free_threaded_python(r)}" for r in releases if free_threaded_python(r)]
    if builds:
        return "re-run as built for a free-threaded CPython: " + ", ".join(builds)
    return (f"PyO3 {' and '.join(releases)} cannot build for a free-threaded Python; "
            f"support arrived in {FREE_THREADED['since']}")


def _trace_options(trace) -> tuple:
    """(release, features, cfg, free-threaded) a given trace was run with."""
    prof = getattr(trace, "prof", None)
    return trace.pyo3, tuple(trace.features), tuple(trace.cfg), bool(getattr(prof, "free_threaded", False))


def _given(program, pyo3, features, cfg) -> tuple:
    """(trace or None, program, pyo3, features, cfg, free-threaded) for the player to start from:
    a trace given instead of a program brings its own options, where none are asked for."""
    if not (hasattr(program, "steps") and hasattr(program, "pyo3")):
        return None, program, pyo3, features, cfg, False
    given = _trace_options(program)
    return program, program.program, pyo3 or given[0], features or given[1], cfg or given[2], given[3]


def _nav_button(text, act, tip, cls):
    # The button's text names its action, so a screen reader announces more than a glyph.
    b = W.Button(description=text, tooltip=tip, layout=W.Layout(width="auto"))
    b.add_class(f"bd-{cls}")
    b.on_click(lambda _b: act())
    return b


class _Pane:
    """One release's column: label, caption, Rust listing and frame."""

    def __init__(self):
        self.label = W.HTML()
        self.caption = W.HTML()
        self.rust = W.HTML()
        self.frame = W.HTML()
        self.frame.add_class("bd-frame")
        self.box = W.VBox([self.label, self.caption, self.rust, self.frame],
                          layout=W.Layout(flex="1 1 0", min_width="0"))
        self.trace = None
        self.svgs: dict = {}
        self.lines: list = []
        self.rows: list = []

    def load(self, trace):
        self.trace, self.svgs = trace, {}
        self.lines, self.rows = rust_listing(trace)
        label = release_label(trace)
        if _trace_options(trace)[3]:
            label += f" on Python {trace.prof.ft_python} (free-threaded)"
        self.label.value = f"<div class='bd-release'>{html.escape(label)}</div>"

    def frame_svg(self, i: int, svg: str, state) -> str:
        """A rendered frame as the pane shows it: themed, titled and described."""
        title = f"{release_label(self.trace)}: step {i + 1}"
        return standalone(svg, title=title, desc=describe(state, self.trace))

    def svg(self, i: int) -> str:
        s = self.svgs.get(i)
        if s is None:
            steps = self.trace.steps
            before = steps[i - 1].state if i > 0 else None
            state = steps[i].state
            graph = draw_step(steps[i], trace=self.trace, state=state, before=before)
            s = self.svgs[i] = self.frame_svg(i, render_svgs([graph])[0], state)
        return s

    def show(self, i: int):
        step = self.trace.steps[i]
        notes = step_notes(self.trace, step, i == len(self.trace.steps) - 1)
        self.caption.value = (f"<div class='bd-caption' aria-live='polite'>{html.escape(step.caption)}"
                              + "".join(f"<div class='bd-notes'>{html.escape(str(n))}</div>" for n in notes)
                              + "</div>")
        self.rust.value = _listing_html(self.lines, self.rows[i])
        self.frame.value = f"<div class='bd-frame'>{self.svg(i)}</div>"


class LivePlayer(W.VBox):
    """A program's trace, stepped live; re-runs when the release or options change."""

    def __init__(self, program, pyo3: str | None = None, features=(), cfg=(), *,
                 compare: str | None = None, interval_ms: int = 900, background: bool = True):
        trace, program, pyo3, features, cfg, free_threaded = _given(program, pyo3, features, cfg)
        self.program = program
        self._background = background
        self._gen = 0
        self._busy = False
        pyo3 = pyo3 or DEFAULT_RELEASE  # The release bound_demo.run assumes; the picker offers them all.
        self.release = W.Dropdown(options=list(RELEASES), value=pyo3, description="PyO3",
                                  layout=W.Layout(width="150px"))
        self.other = W.Dropdown(options=[NONE] + list(RELEASES), value=compare or NONE,
                                description="compare", layout=W.Layout(width="170px"))
        # An explicit tooltip: without one the button's title attribute reads "null".
        self.toggles = {name: W.ToggleButton(value=name in tuple(features) + tuple(cfg), description=name,
                                             tooltip=_toggle_tip(name), layout=W.Layout(width="auto"))
                        for name in _ALLOWED}
        # A checkbox is a native input: Tab reaches it and Space flips it. Its note says what
        # it does for the chosen releases, or why it is off (no free-threaded build before 0.23).
        self.free_threaded = W.Checkbox(value=free_threaded, description=FT_LABEL, indent=False,
                                        layout=W.Layout(width="auto"))
        self.free_threaded.add_class("bd-free-threaded")
        self.free_threaded_note = W.Label()
        self.free_threaded_note.add_class("bd-notes")
        self.play = W.Play(value=0, min=0, max=0, interval=interval_ms, description="play")
        self.slider = W.IntSlider(value=0, min=0, max=0, readout=False, layout=W.Layout(flex="1"))
        W.jslink((self.play, "value"), (self.slider, "value"))
        buttons = [_nav_button(*spec) for spec in (("|◀ first", self.first, "first step", "first"),
                                                    ("◀ previous", self.prev, "previous step", "previous"),
                                                    ("next ▶", self.next, "next step", "next"),
                                                    ("last ▶|", self.last, "last step", "last"))]
        self.counter = W.Label()
        self.counter.add_class("bd-counter")
        self.message = W.HTML()
        self.legend = W.HTML()
        self.panes = [_Pane(), _Pane()]
        self._panes_box = W.HBox([self.panes[0].box])
        self.timeline: list = []
        self.slider.observe(lambda ch: self._show(ch["new"]), names="value")
        self.release.observe(lambda ch: self.rerun(), names="value")
        self.other.observe(lambda ch: self.rerun(), names="value")
        for t in list(self.toggles.values()) + [self.free_threaded]:
            t.observe(lambda ch: self.rerun(), names="value")
        super().__init__([
            W.HBox([self.release, self.other]),
            W.HBox(list(self.toggles.values()), layout=W.Layout(flex_flow="row wrap")),
            W.HBox([self.free_threaded, self.free_threaded_note]),
            W.HBox(buttons[:2] + [self.play] + buttons[2:] + [self.slider, self.counter]),
            self.message, self._panes_box, self.legend, W.HTML(f"<style>{LIVE_CSS}</style>")])
        self.add_class(LIVE_CLASS)
        self.add_class("bd-live-player")
        self.rerun(first_trace=trace)

    def _ipython_display_(self):
        # Reopened without a kernel, the widget cannot be shown; the static player displayed
        # with it stays visible instead (bound_demo.text.fallback says how).
        from .player import player_html
        display_with_fallback(self, player_html(self.traces))

    # --- running -----------------------------------------------------------------------
    def _options(self, release):
        """(features, cfgs, free-threaded) of the toggles that are on and exist in ``release``."""
        on = allowed([n for n, t in self.toggles.items() if t.value], release)
        ft = self.free_threaded.value and bool(free_threaded_python(release))
        return (*_by_kind(on), ft)

    def _releases(self) -> list:
        """The chosen release, then the compared one when there is one."""
        return [self.release.value] + ([self.other.value] if self.other.value != NONE else [])

    def _enable_toggles(self, releases):
        """Grey out the options none of the shown releases has, and say why for free threading."""
        for name, t in self.toggles.items():
            t.disabled = not any(r in _ALLOWED[name] for r in releases)
        self.free_threaded.disabled = not any(free_threaded_python(r) for r in releases)
        self.free_threaded_note.value = _ft_note(releases)
        self.free_threaded.tooltip = self.free_threaded_note.value

    def _run_all(self, releases, first_trace):
        """One trace per release; a trace given to the constructor stands for the first run."""
        traces = [] if first_trace is None else [first_trace]
        return traces + [_run(self.program, r, *self._options(r)) for r in releases[len(traces):]]

    def rerun(self, first_trace=None):
        """Run the program again for the chosen release(s) and options."""
        releases = self._releases()
        self._enable_toggles(releases)
        try:
            traces = self._run_all(releases, first_trace)
        except ValueError as exc:
            self.message.value = f"<span style='color:#D55E00'>{html.escape(str(exc))}</span>"
            return
        self.message.value = ""
        self._gen += 1
        for pane, trace in zip(self.panes, traces):
            pane.load(trace)
        self._panes_box.children = tuple(p.box for p in self.panes[:len(traces)])
        self.traces = traces
        self.timeline = align(traces)
        n = len(self.timeline)
        self.slider.max = self.play.max = max(n - 1, 0)
        self._show(min(self.slider.value, n - 1))
        if self._background:
            gen = self._gen
            threading.Thread(target=self._prerender, args=(gen,), daemon=True).start()
        else:
            self._prerender(self._gen)

    def _prerender(self, gen):
        """Render every frame of the current traces in one batch, then fill the caches."""
        graphs = _pane_graphs(self.panes[:len(self.traces)])
        svgs = render_svgs([g for *_, g in graphs])
        if gen != self._gen:
            return  # A newer run replaced these traces while we were rendering.
        for (p, i, st, _), svg in zip(graphs, svgs):
            p.svgs.setdefault(i, p.frame_svg(i, svg, st))
        self.legend.value = legend_html(union(g.bd_seen for *_, g in graphs))

    # --- stepping ----------------------------------------------------------------------
    def _show(self, k: int):
        k = max(0, min(k, len(self.timeline) - 1))
        if self.slider.value != k:
            self.slider.value = k  # The observer calls _show again with the same k.
            return
        for pane, i in zip(self.panes, self.timeline[k]):
            pane.show(i)
        self.counter.value = f"step {k + 1} / {len(self.timeline)}"

    @property
    def step(self) -> int:
        return self.slider.value

    @step.setter
    def step(self, k: int):
        self._show(k)

    @property
    def steps(self) -> int:
        return len(self.timeline)

    @property
    def caption(self) -> str:
        pane = self.panes[0]
        return pane.trace.steps[self.timeline[self.step][0]].caption

    @property
    def svg(self) -> str:
        return self.panes[0].frame.value

    def first(self):
        self.step = 0

    def prev(self):
        self.step = self.step - 1

    def next(self):
        self.step = self.step + 1

    def last(self):
        self.step = len(self.timeline) - 1


def _listing_html(lines, row: int) -> str:
    """The Rust listing with the step's line marked current."""
    return "<pre class='bd-rust' tabindex='0' aria-label='Rust source'>" + "".join(
        f"<span class='bd-line' data-bd-line-current>▶ {html.escape(t)}</span>" if r == row
        else f"<span class='bd-line'>{html.escape(t) or ' '}</span>"
        for r, t in enumerate(lines)) + "</pre>"


def _pane_graphs(panes) -> list:
    """(pane, index, state, graph) for every step of each pane's trace, each step drawn against
    the one before it."""
    graphs = []
    for pane in panes:
        before = None
        for i, step, st in states(pane.trace):
            graphs.append((pane, i, st, draw_step(step, trace=pane.trace, state=st, before=before)))
            before = st
    return graphs


def _by_kind(names) -> tuple:
    """(the Cargo features, the cfg flags) among option names, each in the order given."""
    return [n for n in names if n in FEATURES], [n for n in names if n in CFGS]
