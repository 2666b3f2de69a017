"""A release switcher around the lockstep player: one release's pane at a time, full width.

Five panes side by side are unreadable at a notebook's width (they wrap two to a row with
text of 5–6 px). The switcher keeps the single lockstep player (one slider, one counter, every
pane stepping together) and adds one radio button per release above it; CSS shows only the
chosen pane. It needs no script of its own, so it works on the static site, in a reopened
notebook and in a live kernel alike.
"""
from __future__ import annotations

import hashlib
import html

from .labels import release_label
from .player import player_html

LAYOUTS = ("side", "switch")


def default_layout(n_traces: int) -> str:
    """Side by side for one or two traces; a switcher beyond that."""
    return "switch" if n_traces > 2 else "side"


def check_layout(layout: str) -> str:
    if layout not in LAYOUTS:
        raise ValueError(f"show(layout={layout!r}): the layout must be one of "
                         f"{', '.join(map(repr, LAYOUTS))}. Fix: pass layout='switch' for one "
                         "release at a time, or layout='side' for side-by-side panes.")
    return layout


def _css(sid: str, n: int) -> str:
    rules = [f"#{sid} .bd-pane{{flex-basis:100%}}",
             f"#{sid} .bd-switch-bar{{display:flex;flex-wrap:wrap;gap:4px;margin:2px 0 6px}}",
             f"#{sid} .bd-switch-bar label{{padding:2px 10px;border:1px solid #0072B2;"
             "border-radius:3px;cursor:pointer}",
             f"#{sid} > input{{position:absolute;opacity:0;width:1px;height:1px}}"]
    for k in range(1, n + 1):
        rules.append(f"#{sid} > input:nth-of-type({k}):checked ~ .bd-player "
                     f".bd-pane:not(:nth-child({k})){{display:none}}")
        rules.append(f"#{sid} > input:nth-of-type({k}):checked ~ .bd-switch-bar "
                     f"label:nth-child({k}){{background:#0072B2;color:#fff}}")
        rules.append(f"#{sid} > input:nth-of-type({k}):focus-visible ~ .bd-switch-bar "
                     f"label:nth-child({k}){{outline:2px solid #D55E00;outline-offset:2px}}")
    return "".join(rules)


def switch_html(traces, *, title: str | None = None) -> str:
    """The lockstep player with a release switcher: `data-bd-switch` wraps it."""
    traces = list(traces)
    labels = [release_label(t) for t in traces]
    inner = player_html(traces, title=title)
    # The id comes from the content (the player inside already has one of its own), so the
    # same traces give the same bytes.
    sid = "bd-sw-" + hashlib.sha256(inner.encode("utf-8")).hexdigest()[:12]
    radios = "".join(
        f'<input type="radio" name="{sid}" id="{sid}-{k}" value="{k}"{" checked" if k == 0 else ""}>'
        for k in range(len(traces)))
    bar = "".join(f'<label for="{sid}-{k}">{html.escape(lab)}</label>' for k, lab in enumerate(labels))
    return (f'<div class="bd-switch" id="{sid}" data-bd-switch>'
            f"<style>{_css(sid, len(traces))}</style>{radios}"
            f'<div class="bd-switch-bar" role="radiogroup" aria-label="release">{bar}</div>'
            f"{inner}</div>")
