"""``LivePlayer``: the step player as ipywidgets, for JupyterLab and Binder.

It has the static player's controls plus a release picker, feature and cfg
toggles that re-run the program, and an optional second release shown side by
side in lockstep. Frames are rendered in a background thread right after each
run (one batched ``dot`` call) and cached, so moving between steps only swaps a
ready SVG string; a frame not ready yet is rendered on the spot.
"""
from __future__ import annotations

import html
import threading

import ipywidgets as W

from .frame import draw_step
from .labels import release_label
from .player import rust_listing
from .render import render_svgs
from .svgpack import standalone
from .timeline import align

from .releases import CFGS, FEATURES, RELEASES
from ..text.fallback import LIVE_CLASS, display_with_fallback

NONE = "—"


def _toggle_tip(name: str) -> str:
    # Says where the option exists, so a greyed-out button explains itself (none exists in 0.20).
    kind, where = ("Cargo feature", FEATURES[name]) if name in FEATURES else ("--cfg flag", CFGS[name])
    span = where[0] if len(where) == 1 else f"{where[0]}–{where[-1]}"
    return f"{kind} {name} (PyO3 {span}): re-run with it on or off"


def _run(program, pyo3, features, cfg):
    import bound_demo
    return bound_demo.run(program, pyo3=pyo3, features=tuple(features), cfg=tuple(cfg))


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
        self.label.value = f"<b style='color:#0072B2'>{html.escape(release_label(trace))}</b>"

    def svg(self, i: int) -> str:
        s = self.svgs.get(i)
        if s is None:
            s = self.svgs[i] = standalone(render_svgs([draw_step(self.trace.steps[i], trace=self.trace)])[0])
        return s

    def show(self, i: int):
        step = self.trace.steps[i]
        notes = list(step.notes or [])
        err = self.trace.error
        if err is not None and i == len(self.trace.steps) - 1 and err.message != step.caption:
            # A compile error is usually the last step's caption already; say it once.
            notes.append(f"{err.kind} at {err.op_path}: {err.message}")
        self.caption.value = (f"<div>{html.escape(step.caption)}</div>" + "".join(
            f"<div style='color:#D55E00'>{html.escape(str(n))}</div>" for n in notes))
        row = self.rows[i]
        self.rust.value = "<pre style='font-size:12px;max-height:12em;overflow:auto;margin:2px 0'>" + "".join(
            f"<div style='background:#F0E442;font-weight:600'>▶ {html.escape(t)}</div>" if r == row
            else f"<div>{html.escape(t) or ' '}</div>" for r, t in enumerate(self.lines)) + "</pre>"
        self.frame.value = self.svg(i)


class LivePlayer(W.VBox):
    """A program's trace, stepped live; re-runs when the release or options change."""

    def __init__(self, program, pyo3: str | None = None, features=(), cfg=(), *,
                 compare: str | None = None, interval_ms: int = 900, background: bool = True):
        trace = None
        if hasattr(program, "steps") and hasattr(program, "pyo3"):
            trace, program = program, program.program
            pyo3 = pyo3 or trace.pyo3
            features = features or tuple(trace.features)
            cfg = cfg or tuple(trace.cfg)
        self.program = program
        self._background = background
        self._gen = 0
        self._busy = False
        pyo3 = pyo3 or RELEASES[-1]  # The newest release, as bound_demo.run assumes.
        self.release = W.Dropdown(options=list(RELEASES), value=pyo3, description="PyO3",
                                  layout=W.Layout(width="150px"))
        self.other = W.Dropdown(options=[NONE] + list(RELEASES), value=compare or NONE,
                                description="compare", layout=W.Layout(width="170px"))
        # An explicit tooltip: without one the button's title attribute reads "null".
        self.toggles = {name: W.ToggleButton(value=name in tuple(features) + tuple(cfg), description=name,
                                             tooltip=_toggle_tip(name), layout=W.Layout(width="auto"))
                        for name in list(FEATURES) + list(CFGS)}
        self.play = W.Play(value=0, min=0, max=0, interval=interval_ms, description="play")
        self.slider = W.IntSlider(value=0, min=0, max=0, readout=False, layout=W.Layout(flex="1"))
        W.jslink((self.play, "value"), (self.slider, "value"))
        buttons = []
        for text, act, tip in (("|◀", self.first, "first"), ("◀", self.prev, "previous"),
                               ("▶", self.next, "next"), ("▶|", self.last, "last")):
            b = W.Button(description=text, tooltip=tip, layout=W.Layout(width="44px"))
            b.add_class(f"bd-{tip}")
            b.on_click(lambda _b, act=act: act())
            buttons.append(b)
        self.counter = W.Label()
        self.counter.add_class("bd-counter")
        self.message = W.HTML()
        self.panes = [_Pane(), _Pane()]
        self._panes_box = W.HBox([self.panes[0].box])
        self.timeline: list = []
        self.slider.observe(lambda ch: self._show(ch["new"]), names="value")
        self.release.observe(lambda ch: self.rerun(), names="value")
        self.other.observe(lambda ch: self.rerun(), names="value")
        for t in self.toggles.values():
            t.observe(lambda ch: self.rerun(), names="value")
        super().__init__([
            W.HBox([self.release, self.other]),
            W.HBox(list(self.toggles.values()), layout=W.Layout(flex_flow="row wrap")),
            W.HBox(buttons[:2] + [self.play] + buttons[2:] + [self.slider, self.counter]),
            self.message, self._panes_box])
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
        on = [n for n, t in self.toggles.items() if t.value]
        feats = [n for n in on if n in FEATURES and release in FEATURES[n]]
        cfgs = [n for n in on if n in CFGS and release in CFGS[n]]
        return feats, cfgs

    def rerun(self, first_trace=None):
        """Run the program again for the chosen release(s) and options."""
        releases = [self.release.value] + ([self.other.value] if self.other.value != NONE else [])
        for name, t in self.toggles.items():
            allowed = {**FEATURES, **CFGS}[name]
            t.disabled = not any(r in allowed for r in releases)
        try:
            traces = []
            for r in releases:
                feats, cfgs = self._options(r)
                traces.append(first_trace if (first_trace is not None and not traces)
                              else _run(self.program, r, feats, cfgs))
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
        panes = self.panes[:len(self.traces)]
        graphs = [(p, i, draw_step(s, trace=p.trace)) for p in panes for i, s in enumerate(p.trace.steps)]
        svgs = render_svgs([g for _, _, g in graphs])
        if gen != self._gen:
            return  # A newer run replaced these traces while we were rendering.
        for (p, i, _), svg in zip(graphs, svgs):
            p.svgs.setdefault(i, standalone(svg))

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
