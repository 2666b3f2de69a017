"""docs/hooks/cssprune.py: what a notebook page keeps of nbconvert's JupyterLab stylesheet."""

from __future__ import annotations

import sys

from sitekit import ROOT

sys.path.insert(0, str(ROOT / "docs" / "hooks"))
import cssprune  # noqa: E402

CSS = ('@charset "UTF-8";'
       ".w{--used:1px;--chain:var(--deep);--deep:red;--unread:url(\"data:a;b\")}"
       ".w .jp-Cell{margin:var(--used);color:var(--chain)}"
       ".w .jp-Menu,.w .jp-Cell:not(.jp-mod-active){padding:0}"
       ".w .jp-FileBrowser{display:none}"
       "@media print{.w .jp-Cell{break-inside:avoid}.w .jp-Dialog{top:0}}"
       "@media screen{.w .jp-Dialog{top:0}}"
       "@font-face{font-family:x;src:url(x.woff)}"
       "table{width:max-content}")
HTML = '<div class="w"><div class="jp-Cell other">x</div></div>'


def test_rules_for_classes_the_page_lacks_go():
    out = cssprune.prune(CSS, cssprune.classes_of(HTML))
    assert ".jp-FileBrowser" not in out and ".jp-Menu" not in out and ".jp-Dialog" not in out
    # A class only inside :not(...) is not required; the other selector of that list goes.
    assert ".w .jp-Cell:not(.jp-mod-active){padding:0}" in out
    assert "@media print{.w .jp-Cell{break-inside:avoid}}" in out and "@media screen" not in out
    assert "@font-face{font-family:x;src:url(x.woff)}" in out and out.endswith("table{width:max-content}")
    assert out.startswith('@charset "UTF-8";')


def test_custom_properties_nobody_reads_go():
    out = cssprune.for_page(CSS, HTML)
    assert ".w{--used:1px;--chain:var(--deep);--deep:red}" in out
    assert "--unread" not in out and "data:a;b" not in out


def test_the_real_stylesheet_keeps_what_a_notebook_page_uses():
    """Measured on the built notebook pages: about 20 kB of nbconvert's 570 kB stay."""
    from pathlib import Path
    import mkdocs_jupyter
    path = Path(mkdocs_jupyter.__file__).parent / "templates" / "mkdocs_html" / "assets" / "index.css"
    css = path.read_text(encoding="utf-8")
    page = ('<div class="jupyter-wrapper"><div class="jp-Cell jp-CodeCell jp-Notebook-cell">'
            '<div class="jp-InputArea jp-Cell-inputWrapper"><div class="jp-InputPrompt '
            'jp-InputArea-prompt">In [1]:</div></div></div></div>')
    out = cssprune.for_page(css, page)
    assert len(css) > 500_000 and len(out) < len(css) // 10
    assert ".jupyter-wrapper .jp-InputPrompt" in out and "jp-FileBrowser" not in out
