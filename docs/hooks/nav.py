"""Notebook pages, navigation for pages other people own, and the notebook launch bar.

The notebooks live only in notebooks/ at the repository root, outside docs_dir. Rather than a
second copy or a symlink (which dangles in a fresh clone while notebooks/ is empty, and Git
does not keep empty directories), this hook adds each notebook to the build's files as if it
sat at docs/notebooks/, before mkdocs-jupyter claims them. docs/design/ and
docs/witness-findings.md are written by other engineers; listing them in mkdocs.yml by hand
would break the strict build whenever one is added or renamed, so they are listed as found.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import logging
import os
import re
import sys
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cssprune  # noqa: E402  (beside this hook; mkdocs does not put hooks on the path)

DOCS = Path(__file__).resolve().parents[1]
ROOT = DOCS.parent
NOTEBOOKS = ROOT / "notebooks"
HEADING = re.compile(r'<h([1-6]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)
TAG = re.compile(r"<[^>]+>")
# nbconvert's JupyterLab stylesheet (over half a megabyte), inlined into every notebook page.
JUPYTER_CSS = re.compile(r'<style type="text/css">\s*(@charset "UTF-8";\.jupyter-wrapper\{.*?)</style>', re.S)
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


def heading_text(inner_html: str) -> str:
    """A heading's text as a reader sees it: code spans kept (as plain words), the
    permalink sign dropped, entities decoded."""
    text = TAG.sub("", ANCHOR_LINK.sub("", inner_html))
    return " ".join(htmllib.unescape(text).replace("\u00b6", "").split())


def _align_toc(html: str, page) -> None:
    """mkdocs-jupyter builds its table of contents and the page title from a Markdown
    rendering of the notebook that drops code spans ("`new_pool` and `with_pool`" becomes
    "and", with the id #and), while nbconvert renders the headings themselves with the code
    kept (#new_pool-and-with_pool). Both list the headings in page order, so the table of
    contents takes the real ids and texts by position, and the page title (which the nav,
    the TOC and the browser's title bar show) the first level-1 heading's text."""
    headings = [(int(level), hid, heading_text(inner)) for level, hid, inner in HEADING.findall(html)]
    anchors = list(_anchors(page.toc))
    if len(headings) != len(anchors):
        log.warning("%s: %d headings but %d table-of-contents entries; links may not match",
                    page.file.src_uri, len(headings), len(anchors))
    else:
        for anchor, (_, real, text) in zip(anchors, headings):
            anchor.id = real
            anchor.title = text
    first = next((text for level, _, text in headings if level == 1), None)
    if first:
        page.title = first


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


def on_post_page(output, page, config):
    """Serve nbconvert's JupyterLab stylesheet as a file the page links, cut to the 20 kB or so
    of it that a static notebook page uses (of 570 kB), instead of inlining all of it; pages
    that use the same classes share one file. The link takes the inline style's place, so the
    cascade is unchanged."""
    if not page.file.src_uri.endswith(".ipynb"):
        return output
    match = JUPYTER_CSS.search(output)
    if match is None:
        return output
    # Only the rules this page can use, and the custom properties they read (cssprune.py).
    css = cssprune.for_page(match.group(1), output)
    name = f"assets/jupyter-{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
    target = Path(config["site_dir"]) / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(css, encoding="utf-8")
    link = f'<link rel="stylesheet" href="{get_relative_url(name, page.url)}">'
    return output[:match.start()] + link + output[match.end():]
