"""Send what a page repeats once: the players' stylesheet and script, and nbconvert's unused Mermaid loader.

Every player is self-contained (a notebook output must work on its own in JupyterLab), so a
notebook page with four players carries the player's stylesheet and its runtime script four
times. The script defines `window.BoundDemoPlayer` only when it is not defined yet, and the
stylesheets are the same text, so every copy after the first does nothing: this hook drops them
and keeps each player's own `mount` call. nbconvert's lab template also adds a Mermaid loader
(a module script and its style) to every notebook page, which renders only cells of class
`jp-Mermaid`; a page without one loses both. The result is the same page for a reader, lighter.
"""

from __future__ import annotations

import re

from bound_demo.views.player_assets import JS

_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
_MERMAID_SCRIPT = re.compile(r'<script type="module">(?:(?!</script>).)*?mermaid(?:(?!</script>).)*</script>',
                             re.S | re.I)
_MERMAID_STYLE = re.compile(r"<style>\s*\.jp-Mermaid:not\(\.jp-RenderedMermaid\).*?</style>", re.S)


def _drop_repeated_styles(html: str) -> str:
    seen: set = set()

    def keep_first(m):
        if m.group(1) in seen:
            return ""
        seen.add(m.group(1))
        return m.group(0)

    return _STYLE.sub(keep_first, html)


def _drop_repeated_runtime(html: str) -> str:
    """Keep the player runtime in the first player's script only (later copies are no-ops)."""
    first = html.find(JS)
    if first < 0:
        return html
    cut = first + len(JS)
    return html[:cut] + html[cut:].replace(JS, "\n")


def _drop_unused_mermaid(html: str) -> str:
    if 'class="jp-Mermaid' in html:
        return html
    return _MERMAID_STYLE.sub("", _MERMAID_SCRIPT.sub("", html))


def on_post_page(output, page, config):
    return _drop_unused_mermaid(_drop_repeated_runtime(_drop_repeated_styles(output)))
