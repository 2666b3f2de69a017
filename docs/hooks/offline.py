"""Keep every page free of requests to other hosts.

nbconvert's page template always loads MathJax from cdnjs, even for a notebook without maths,
and, for a notebook that displayed ipywidgets, a script that fetches the widget renderer from
unpkg. The site must work offline (the browser test fails on any request that leaves
127.0.0.1), so both loaders are removed: the notebooks use no LaTeX, and widgets are the live
(JupyterLab, Binder) experience, while the static pages show the HTML players the notebooks
print beside them. Any other remote script or stylesheet is reported, so the strict build fails
instead of a page quietly depending on a CDN.
"""

from __future__ import annotations

import logging
import re

MATHJAX = re.compile(r'<script src="https://cdnjs\.cloudflare\.com/ajax/libs/mathjax/[^"]*">\s*</script>')
WIDGETS = re.compile(r"<script>\s*\(function\(\) \{\s*function addWidgetsRenderer\(\).*?</script>", re.S)
REMOTE = re.compile(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="(?:https?:)?//[^"]*"[^>]*>', re.I)
log = logging.getLogger("mkdocs.hooks.offline")


def on_post_page(output, page, config):
    output = WIDGETS.sub("", MATHJAX.sub("", output))
    if "unpkg.com" in output or "cdn.jsdelivr.net" in output:
        log.warning("%s still refers to a CDN (a widget or script loader)", page.file.src_uri)
    for tag in REMOTE.findall(output):
        if tag.lower().startswith("<link") and 'rel="canonical"' in tag:
            continue
        log.warning("%s loads from another host: %s", page.file.src_uri, tag[:160])
    return output
