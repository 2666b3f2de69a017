"""The Rust listing beside a frame, and the line of it that each step stands for.

A step belongs to an op, but not always to the op's first line: when a block ends, its
handles are dropped, its GILPool releases its entries and the GIL is given back, and all of
that happens at the block's closing ``})``. Steps of those events highlight the closing line;
queue drains and deallocations that follow them stay on the line they follow.

Which Rust: a program's own ``rust`` source is shown for the releases it was written for
(its ``releases`` list, or every release when it has none). Any other release gets a listing
generated op by op with ``text/rust.py``, which spells each call the way that release does
(``Python::with_gil`` up to 0.25, ``Python::attach`` from 0.26, ``*_bound`` in 0.21/0.22), so
each pane of a lockstep player shows its own release's Rust.
"""
from __future__ import annotations

import re

# Events that happen where a block ends (its closing line), not where it starts.
CLOSING = frozenset({
    "implicit_drop", "scope_end", "pool_decref", "release_item", "pool_drop", "gil_release",
    "gil_assumed_end", "gil_nested_end", "allow_exit", "trampoline_exit", "thread_exit",
    "block_result",
})
# Events that happen right after another step of the same op, on that step's line
# (update_counts draining the queue, a deallocation a drop set off).
FOLLOWING = frozenset({"drain_incref", "drain_decref", "dealloc_enter", "dealloc_exit"})

# How a generated block closes, by op kind; closures end in "})", plain scopes in "}".
_CLOSE = {"repeat": "}", "pyfunction": "}", "new_pool": "}   // the pool is dropped here",
          "thread": "}));"}
_COMMENT = re.compile(r"//.*$")


def _release_of(entry: str) -> str:
    return str(entry).split("+", 1)[0].strip()


def source_fits(trace) -> bool:
    """Whether the program's own Rust source was written for this trace's release."""
    if not getattr(trace, "rust", None):
        return False
    program = getattr(trace, "program", None)
    releases = program.get("releases") if isinstance(program, dict) else None
    if not releases:
        return True
    return str(trace.pyo3) in {_release_of(r) for r in releases}


def closing_line(lines: list, row: int) -> int:
    """The row where the block opened at ``row`` closes (brace matching, comments ignored);
    ``row`` itself when that line opens no block."""
    depth = 0
    for r in range(row, len(lines)):
        code = _COMMENT.sub("", lines[r])
        depth += code.count("{") - code.count("}")
        if depth <= 0:
            return r  # On ``row`` itself: the line opens no block (or closes one).
    return row


def _tree(trace):
    """The program's ops as (op, children) pairs, when the trace carries its parsed program."""
    prog = getattr(trace, "program_obj", None)
    flat = getattr(prog, "flat", None)
    if not flat:
        return None
    by_path = {op.path: op for op in flat}

    def walk(raw, prefix):
        out = []
        for i, item in enumerate(raw or ()):
            path = f"{prefix}[{i}]"
            op = by_path.get(path)
            if op is not None:
                out.append((op, walk(item.get("body"), f"{path}.body")))
        return out

    return walk(trace.program.get("ops"), "ops")


def _generate(tree, prof) -> tuple:
    """(lines, {path: (open row, close row)}) for a program without a fitting source."""
    from bound_demo.text.rust import rust_for
    lines, rows = [], {}

    def emit(nodes, depth):
        pad = "    " * depth
        for op, children in nodes:
            opening = len(lines)
            head = rust_for(op, prof)
            lines.append(pad + ("{ " + head if op.kind == "new_pool" else head))
            if children or op.kind in _CLOSE or head.rstrip().endswith("{"):
                emit(children, depth + 1)
                lines.append(pad + _CLOSE.get(op.kind, "});"))
            rows[op.path] = (opening, len(lines) - 1)

    emit(tree, 0)
    return lines, rows


def _by_op_path(steps) -> tuple:
    """One line per op, from each step's own Rust (traces without a program tree)."""
    order: dict = {}
    lines = []
    for s in steps:
        if s.op_path not in order:
            order[s.op_path] = len(lines)
            lines.append(str(s.rust or s.op_path or ""))
    return lines, {p: (r, r) for p, r in order.items()}


def _from_source(trace, steps) -> tuple:
    lines = trace.rust.splitlines()
    spans = {}
    for s in steps:
        if s.op_path in spans or not s.line or not 0 < s.line <= len(lines):
            continue
        spans[s.op_path] = (s.line - 1, closing_line(lines, s.line - 1))
    return lines, spans


def step_rows(steps, spans: dict) -> list:
    """The listing row of every step (-1: none), by the rules in the module docstring."""
    rows = []
    for prev, s in zip([None] + steps[:-1], steps):
        rows.append(rows[-1] if _follows(prev, s) and s.op_path in spans else _step_row(s, spans))
    return rows


def _follows(prev, s) -> bool:
    """Whether step ``s`` happens right after ``prev``, a step of the same op, on its line."""
    return s.event in FOLLOWING and prev is not None and prev.op_path == s.op_path


def _step_row(s, spans: dict) -> int:
    """A step's own row: its op's closing line for a closing event, else its opening line."""
    span = spans.get(s.op_path)
    if span is None:
        return -1
    return span[1] if s.event in CLOSING else span[0]


def rust_listing(trace) -> tuple:
    """(listing lines, listing row for each step) for one trace."""
    steps = list(trace.steps)
    if source_fits(trace):
        lines, spans = _from_source(trace, steps)
    else:
        tree = _tree(trace)
        prof = getattr(trace, "prof", None)
        lines, spans = _generate(tree, prof) if tree and prof is not None else _by_op_path(steps)
    return lines, step_rows(steps, spans)
