"""Cut a stylesheet down to the rules a page can use (for nbconvert's JupyterLab CSS).

nbconvert ships the whole of JupyterLab's stylesheet (570 kB) with every notebook page, though a
static page shows only cells, outputs and code; the rest styles JupyterLab's own interface
(menus, file browser, dialogs), which a page never has. A rule is kept when one of its selectors
names only classes that occur in the page's HTML (the notebook pages run no Jupyter script that
could add others); rules naming no class at all (element selectors, custom properties) and
at-rules without selectors inside (@font-face, @keyframes) are always kept. Nested @media and
@supports blocks are pruned the same way and dropped when nothing in them is left.
"""

from __future__ import annotations

import re

_CLASS = re.compile(r"\.(-?[_a-zA-Z][-_a-zA-Z0-9]*)")
_ATTR = re.compile(r'\bclass="([^"]*)"')
_PARENS = re.compile(r"\([^()]*\)")
_NESTING = ("@media", "@supports", "@layer", "@container")


def classes_of(html: str) -> set:
    """Every class name used in the page's class attributes."""
    return {c for value in _ATTR.findall(html) for c in value.split()}


def _blocks(css: str):
    """(prelude, body) for each top-level block, and (statement, None) for `@charset ...;`."""
    pos, n = 0, len(css)
    while pos < n:
        brace, semi = css.find("{", pos), css.find(";", pos)
        if brace < 0 or (0 <= semi < brace and css[pos:semi].lstrip().startswith("@")):
            end = semi + 1 if semi >= 0 else n
            yield css[pos:end], None
            pos = end
            continue
        end = _close(css, brace)
        yield css[pos:brace], css[brace + 1:end]
        pos = end + 1


def _close(css: str, start: int) -> int:
    """The index of the brace that closes the one at `start` (strings and nesting skipped)."""
    depth, i, quote = 0, start, None
    while i < len(css):
        ch = css[i]
        if quote:
            quote = None if ch == quote and css[i - 1] != "\\" else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(css) - 1


def _split_selectors(prelude: str) -> list:
    """A selector list split at its top-level commas (not those inside :is(...) and such)."""
    out, depth, cur = [], 0, ""
    for ch in prelude:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    return out + [cur]


def _usable(selector: str, used: set) -> bool:
    """True when every class the selector requires occurs in the page (:not(...) and other
    parenthesised arguments are not required)."""
    bare = selector
    while "(" in bare and _PARENS.search(bare):
        bare = _PARENS.sub("", bare)
    return all(c in used for c in _CLASS.findall(bare))


def _rule(prelude: str, body: str, used: set) -> str:
    keep = [s for s in _split_selectors(prelude) if _usable(s, used)]
    return f"{','.join(keep)}{{{body}}}" if keep else ""


def prune(css: str, used: set) -> str:
    """The rules of `css` that can apply to a page whose classes are `used`."""
    out = []
    for prelude, body in _blocks(css):
        head = prelude.strip()
        if body is None or head.startswith("@") and not head.startswith(_NESTING):
            out.append(prelude if body is None else f"{prelude}{{{body}}}")
        elif head.startswith("@"):
            inner = prune(body, used)
            out.append(f"{prelude}{{{inner}}}" if inner.strip() else "")
        else:
            out.append(_rule(prelude, body, used))
    return "".join(out)


_VAR = re.compile(r"var\(\s*(--[-_a-zA-Z0-9]+)")
_PROP = re.compile(r"\s*(--[-_a-zA-Z0-9]+)\s*:")


def _declarations(body: str) -> list:
    """A rule's declarations, split at the semicolons outside strings and parentheses
    (icon custom properties hold data URLs with semicolons of their own)."""
    out, depth, quote, start = [], 0, None, 0
    for i, ch in enumerate(body):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        else:
            depth += (ch == "(") - (ch == ")")
            if ch == ";" and depth == 0:
                out.append(body[start:i])
                start = i + 1
    return out + [body[start:]]


def _referenced(css: str, html: str) -> set:
    """Custom properties that something reads: a var() in a non-custom declaration or in the
    page, then, repeatedly, the var()s in the values of those properties."""
    values: dict = {}
    needed = set(_VAR.findall(html))
    for decl in _declarations(re.sub(r"[{}]", ";", css)):
        m = _PROP.match(decl)
        if m:
            values.setdefault(m.group(1), []).append(decl)
        else:
            needed |= set(_VAR.findall(decl))
    todo = list(needed)
    while todo:
        for decl in values.get(todo.pop(), ()):
            new = set(_VAR.findall(decl)) - needed
            needed |= new
            todo += new
    return needed


def _drop_unread(css: str, keep: set) -> str:
    """`css` without the declarations of custom properties nobody reads."""
    out = []
    for prelude, body in _blocks(css):
        if body is None:
            out.append(prelude)
        elif prelude.strip().startswith(_NESTING):
            out.append(f"{prelude}{{{_drop_unread(body, keep)}}}")
        elif prelude.strip().startswith("@"):
            out.append(f"{prelude}{{{body}}}")
        else:
            decls = [d for d in _declarations(body) if not (_PROP.match(d) and _PROP.match(d).group(1) not in keep)]
            out.append(f"{prelude}{{{';'.join(decls)}}}")
    return "".join(out)


def for_page(css: str, html: str) -> str:
    """What of `css` the page `html` can use: its rules, then the custom properties they read."""
    rules = prune(css, classes_of(html))
    return _drop_unread(rules, _referenced(rules, html))
