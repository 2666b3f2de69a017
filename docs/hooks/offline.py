"""Keep every page free of requests to other hosts.

nbconvert's page template always loads MathJax from cdnjs, even for a notebook without maths.
The site must work offline (and the browser test fails on any request that leaves 127.0.0.1),
so the loader is removed; notebooks here use no LaTeX. Any other remote script or stylesheet is
reported, so the strict build fails instead of a page quietly depending on a CDN.
"""

from __future__ import annotations

import logging
import re

MATHJAX = re.compile(r'<script src="https://cdnjs\.cloudflare\.com/ajax/libs/mathjax/[^"]*">\s*</script>')
REMOTE = re.compile(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="(?:https?:)?//[^"]*"[^>]*>', re.I)
log = logging.getLogger("mkdocs.hooks.offline")


def on_post_page(output, page, config):
    output = MATHJAX.sub("", output)
    for tag in REMOTE.findall(output):
        if tag.lower().startswith("<link") and 'rel="canonical"' in tag:
            continue
        log.warning("%s loads from another host: %s", page.file.src_uri, tag[:160])
    return output
