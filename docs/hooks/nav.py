"""Navigation entries for pages other people own, and the launch bar of every notebook page.

The notebooks live only in notebooks/ (docs/notebooks is a symlink to it), and docs/design/ and
docs/witness-findings.md are written by other engineers. Listing them in mkdocs.yml by hand
would break the strict build whenever one is added or renamed, so this hook lists what exists.
"""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parents[1]


def _title(path: Path) -> str:
    return path.stem.replace("-", " ").replace("_", " ").strip().capitalize()


def on_config(config):
    nav = config["nav"]
    notebooks = sorted((DOCS / "notebooks").glob("*.ipynb"))
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


def on_page_content(html, page, config, files):
    src = page.file.src_uri
    if not src.endswith(".ipynb"):
        return html
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
