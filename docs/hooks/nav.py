"""Notebook pages, navigation for pages other people own, and the notebook launch bar.

The notebooks live only in notebooks/ at the repository root, outside docs_dir. Rather than a
second copy or a symlink (which dangles in a fresh clone while notebooks/ is empty, and Git
does not keep empty directories), this hook adds each notebook to the build's files as if it
sat at docs/notebooks/, before mkdocs-jupyter claims them. docs/design/ and
docs/witness-findings.md are written by other engineers; listing them in mkdocs.yml by hand
would break the strict build whenever one is added or renamed, so they are listed as found.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

DOCS = Path(__file__).resolve().parents[1]
ROOT = DOCS.parent
NOTEBOOKS = ROOT / "notebooks"
HEADING = re.compile(r'<h[1-6] id="([^"]+)"')
log = logging.getLogger("mkdocs.hooks.nav")


def _notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def _title(path: Path) -> str:
    return path.stem.replace("-", " ").replace("_", " ").strip().capitalize()


def on_config(config):
    # Notebooks executed for the site have no kernel behind them once published: players and
    # questions must come out as static HTML, not widgets. The kernel inherits this variable.
    os.environ["BOUND_DEMO_STATIC"] = "1"
    nav = config["nav"]
    notebooks = _notebooks()
    if notebooks:
        at = next(i for i, item in enumerate(nav) if "Concepts" in item) + 1
        nav.insert(at, {"Notebooks": [f"notebooks/{p.name}" for p in notebooks]})
    reference = next(item for item in nav if "Reference" in item)["Reference"]
    if (DOCS / "witness-findings.md").exists():
        reference.append({"Witness findings": "witness-findings.md"})
    design = sorted((DOCS / "design").glob("*.md"))
    if design:
        reference.append({"Design notes": [{_title(p): f"design/{p.name}"} for p in design]})
    return config


@event_priority(100)  # before mkdocs-jupyter's on_files, which turns these into notebook pages
def on_files(files, config):
    for nb in _notebooks():
        # src_dir is the repository root, so the page's source path is notebooks/NAME.ipynb.
        files.append(File(f"notebooks/{nb.name}", src_dir=str(ROOT), dest_dir=config["site_dir"],
                          use_directory_urls=config["use_directory_urls"]))
    return files


def on_serve(server, config, builder):
    # `make serve` rebuilds when a notebook changes, although notebooks/ is outside docs_dir.
    if NOTEBOOKS.is_dir():
        server.watch(str(NOTEBOOKS))
    return server


def _anchors(toc):
    for item in toc:
        yield item
        yield from _anchors(item.children)


def _align_toc(html: str, page) -> None:
    """mkdocs-jupyter slugs its table of contents from the heading text without code spans
    ("`new_pool` and `with_pool`" becomes #and), while nbconvert ids the headings themselves
    with the code text kept (#new_pool-and-with_pool). Both list the headings in page order, so
    the table of contents takes the real ids by position."""
    ids = HEADING.findall(html)
    anchors = list(_anchors(page.toc))
    if len(ids) != len(anchors):
        log.warning("%s: %d headings but %d table-of-contents entries; links may not match",
                    page.file.src_uri, len(ids), len(anchors))
        return
    for anchor, real in zip(anchors, ids):
        anchor.id = real


def on_page_content(html, page, config, files):
    src = page.file.src_uri
    if not src.endswith(".ipynb"):
        return html
    _align_toc(html, page)
    binder = config["extra"]["binder"]
    launch = (f"https://mybinder.org/v2/gh/{binder['repo']}/{binder['ref']}"
              f"?urlpath=lab/tree/{src}")
    # include_source copies the notebook into the page's own directory
    # (notebooks/x/x.ipynb beside notebooks/x/index.html).
    download = Path(src).name
    bar = (
        '<div class="bd-notebook-bar">'
        f'<a class="md-button md-button--primary" href="{launch}" rel="noopener">Launch on Binder</a> '
        f'<a class="md-button" href="{download}" download>Download the notebook</a>'
        "</div>"
    )
    return bar + html
