"""Step players in pages: one marker in Markdown becomes a static, self-contained HTML player.

    <!-- bd-player scenario="gilref_loop" pyo3="0.20,0.21" features="" -->
    <!-- bd-player program="py_clone_detached" pyo3="0.21,0.22+py-clone" -->
    <!-- bd-player scenario="gilref_loop,bound_per_iteration" pyo3="0.20,0.21" -->

``scenario`` names a program shipped with the package (bound_demo/scenarios/NAME.json);
``program`` names one written for a docs page (docs/programs/NAME.json). Either may list one
name per release, when the idiomatic code differs between them (a GIL Ref in 0.20, a Bound
in 0.21). ``pyo3`` lists the
releases to run it under, side by side; ``+feature`` after a release adds a Cargo feature to
that run only, ``features`` adds features to every run, ``cfg`` adds --cfg flags. ``+ft`` after
a release runs it on a free-threaded Python (``bound_demo.run(..., free_threaded=True)``), so
``pyo3="0.28,0.28+ft"`` shows the GIL and the free-threaded build in lockstep.

The traces are computed by bound_demo itself at build time, so a page can never show a picture
the model would not draw. A marker that cannot be rendered (a missing program, a package that
does not import) fails the build with the marker named.
"""

from __future__ import annotations

import importlib
import logging
import re
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"<!--\s*bd-player\s+(.*?)-->", re.S)
ATTR = re.compile(r'(\w+)="([^"]*)"')
log = logging.getLogger("mkdocs.hooks.players")


def _program_paths(attrs: dict[str, str], count: int) -> list[Path]:
    """One program file per run: a single name serves every release."""
    if "scenario" in attrs:
        folder, names = ROOT / "bound_demo" / "scenarios", attrs["scenario"]
    elif "program" in attrs:
        folder, names = ROOT / "docs" / "programs", attrs["program"]
    else:
        raise ValueError("a bd-player marker needs scenario=\"...\" or program=\"...\"")
    paths = [folder / f"{n.strip()}.json" for n in names.split(",")]
    if len(paths) == 1:
        paths *= count
    if len(paths) != count:
        raise ValueError(f"{len(paths)} programs for {count} releases")
    return paths


def _runs(attrs: dict[str, str]) -> list[tuple[str, tuple[str, ...], bool]]:
    """(release, features, free-threaded) per run."""
    common = tuple(f for f in attrs.get("features", "").split(",") if f)
    runs = []
    for item in attrs["pyo3"].split(","):
        release, *extra = item.strip().split("+")
        runs.append((release, common + tuple(e for e in extra if e != "ft"), "ft" in extra))
    return runs


def _api():
    """(run, player_html). An import failure propagates: a page must never ship a placeholder
    where an animation belongs, so a broken package breaks the build."""
    package = importlib.import_module("bound_demo")
    views = importlib.import_module("bound_demo.views")
    return package.run, views.player_html


@lru_cache(maxsize=None)
def render(marker_attrs: str) -> str:
    """HTML for one marker; cached because Home and the migration pages share scenarios."""
    attrs = dict(ATTR.findall(marker_attrs))
    runs = _runs(attrs)
    paths = _program_paths(attrs, len(runs))
    label = ", ".join(r + "".join(f" + {f}" for f in fs) + (" free-threaded" if ft else "")
                      for r, fs, ft in runs)
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"player marker ({label}): {missing[0].relative_to(ROOT).as_posix()} "
                                "does not exist; add the program or fix the marker's path")
    run, player_html = _api()
    cfg = tuple(c for c in attrs.get("cfg", "").split(",") if c)
    traces = [run(str(path), pyo3=release, features=features, cfg=cfg, **({"free_threaded": True} if ft else {}))
              for path, (release, features, ft) in zip(paths, runs)]
    return player_html(traces if len(traces) > 1 else traces[0])


def on_page_markdown(markdown, page, config, files):
    # The HTML goes in after Markdown has run (on_page_content), so nothing inside a player
    # (scripts, blank lines, indentation) can be reinterpreted as Markdown.
    slots = []

    def slot(match: re.Match) -> str:
        slots.append(match.group(1))
        return f'<div class="bd-player-slot" data-slot="{len(slots) - 1}"></div>'

    markdown = MARKER.sub(slot, markdown)
    page.bd_player_slots = slots
    return markdown


def on_page_content(content, page, config, files):
    for i, attrs in enumerate(getattr(page, "bd_player_slots", [])):
        try:
            player = render(attrs)
        except Exception as exc:  # a broken scenario must fail the strict build, with its page
            log.error("bd-player %s on %s: %s: %s", attrs.strip(), page.file.src_uri, type(exc).__name__, exc)
            player = ""
        content = content.replace(f'<div class="bd-player-slot" data-slot="{i}"></div>', player, 1)
    return content


def on_pre_build(config):
    # `mkdocs serve` rebuilds in one process: forget players drawn from the previous code.
    render.cache_clear()
