"""Release badges on Rust examples, and the rule that every Rust block comes from a checked file.

A Rust block on this site is always written as an include::

    ```rust
    --8<-- "examples/rust/migration/0.21/pycell_after.rs:show"
    ```

tools/rustcheck compiles that file against the release its header names. This hook reads the
same header and puts a badge above the block: the release (and features) it was compiled
against, and the verdict the harness enforces (compiles / warns / fails with an error code).
A ```rust block with inline code would be unchecked, so it stops the build instead.
"""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.rustcheck.snippets import parse  # noqa: E402  (needs the path above)

FENCE = re.compile(
    r'^(?P<indent>[ \t]*)```(?P<lang>rust|text)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$', re.M | re.S)
INCLUDE = re.compile(r'^\s*--8<--\s+"(?P<file>examples/rust/[^":]+\.rs)(?::[\w-]+)?"\s*$')
STDERR = re.compile(r'^\s*--8<--\s+"(?P<file>examples/rust/[^":]+)\.stderr"\s*$')
log = logging.getLogger("mkdocs.hooks.examples")


def badge(path: Path) -> str:
    snippet = parse(path)
    if snippet.kind == "pass":
        verdict, css = "compiles", "pass"
    elif snippet.kind == "deprecated":
        verdict, css = "compiles with a deprecation warning", "warn"
    else:
        codes = ", ".join(sorted({e.code for e in snippet.expectations if e.code}))
        verdict, css = f"does not compile: {codes}", "fail"
    return (f'<p class="bd-release" data-bd-release="{snippet.release}">'
            f'<span class="bd-badge">PyO3 {snippet.build}</span> '
            f'<span class="bd-verdict bd-{css}">{verdict}</span></p>')


def caption(stderr_of: Path) -> str:
    """Say which file and release a block of pinned compiler output belongs to."""
    snippet = parse(stderr_of)
    return (f'<p class="bd-release bd-output"><span class="bd-badge">PyO3 {snippet.build}</span> '
            f'what rustc prints for <code>{stderr_of.relative_to(ROOT).as_posix()}</code> '
            f'(line numbers count from the top of that file)</p>')


def on_page_markdown(markdown, page, config, files):
    def replace(match: re.Match) -> str:
        body = match.group("body").strip("\n")
        if match.group("lang") == "text":
            output = STDERR.match(body) if "\n" not in body else None
            if output is None:
                return match.group(0)
            mark = caption(ROOT / (output.group("file") + ".rs"))
            return f"{match.group('indent')}{mark}\n\n{match.group(0)}"
        include = INCLUDE.match(body) if "\n" not in body else None
        if include is None:
            log.warning("%s: a ```rust block must be a single --8<-- include of examples/rust/ "
                        "(so tools/rustcheck compiles it)", page.file.src_uri)
            return match.group(0)
        try:
            mark = badge(ROOT / include.group("file"))
        except (OSError, ValueError) as exc:
            log.warning("%s: %s", page.file.src_uri, exc)
            return match.group(0)
        indent = match.group("indent")
        return f"{indent}{mark}\n\n{match.group(0)}"

    return FENCE.sub(replace, markdown)
