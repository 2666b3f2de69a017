"""Step tables: a trace as plain text, one row per step (the CLI's `run` output and
`Trace.table()`). Text only; no model logic.

Names come from programs, so a table may carry any character: `clean` shows control
characters (ESC, BEL, NUL, ...) and the bidirectional overrides (RLO, ...) as visible escapes,
so that printing a table can neither drive the terminal nor reorder what it shows.
"""

from __future__ import annotations

import re
import shutil
import textwrap

# C0 and C1 controls, DEL, and the Unicode bidirectional embeddings, overrides and isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _show(m):
    """The visible escape of one unsafe character."""
    c = ord(m.group(0))
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def clean(text) -> str:
    """Text safe to print on a terminal: unsafe characters become `\\xNN` / `\\uNNNN`."""
    return _UNSAFE.sub(_show, str(text)).replace("\t", " ")


def _heading(trace, lo, hi):
    shown = "" if (lo, hi) == (0, len(trace.steps)) else f" (showing {lo}:{hi})"
    return f"{clean(trace.label)}: {len(trace.steps)} steps{shown}"


def _error_line(trace):
    e = trace.error
    return [f"\n{clean(e.kind)} at {clean(e.op_path)}: {clean(e.message)}"] if e else []


def step_table(trace, width=None, steps=None):
    """A readable table of a trace's steps (all, or steps lo … hi-1 for `steps=(lo, hi)`):
    what ran, counts and pool sizes, the caption."""
    width = width or shutil.get_terminal_size((120, 20)).columns
    lo, hi = steps if steps is not None else (0, len(trace.steps))
    head = f"{'#':>4}  {'op':<22} {'count':>5} {'pool':>5} {'pend':>5}  what happened"
    lines = [_heading(trace, lo, hi), head, "-" * min(width, 120)]
    cap_w = max(30, width - 48)
    # One forward pass over the states (not a replay per step).
    for i, st in trace.iter_states(lo, hi):
        lines += _rows(trace.steps[i], st, cap_w)
    return "\n".join(lines + _error_line(trace))


def stage_report(trace):
    """One migration stage of a `records`-shaped program (bound_demo.scenarios.records) in a few
    lines: whether it runs, the pool and refcounts before the return, what Python holds after,
    and every deprecation note."""
    before, after = trace.at("before_return"), trace.at("returned")
    outcome = f"error: {trace.error.message}" if trace.error else "runs"
    lines = [f"{trace.label} - {outcome}",
             f"  pool before return : {before.threads['main'].owned}",
             f"  refcounts before   : {before.refcount_table()}",
             f"  refcounts returned : {after.refcount_table()}  Python holds {after.py_vars}"]
    lines += [f"  note: {n}" for n in sorted({n for s in trace.steps for n in s.notes})]
    return "\n".join(lines)


def _step_thread(s, st):
    """The state of the thread a step touched (main if none), or None when it has none."""
    tname = next(iter(s.touched["threads"]), "main")
    return st.threads.get(tname) or st.threads.get("main")


def _rows(s, st, cap_w):
    """The table rows of one step: the numbers, then the caption wrapped."""
    th = _step_thread(s, st)
    count, owned = (th.gil_count, th.owned_len) if th is not None else ("-", "-")
    pend = len(st.pending_decrefs) + len(st.pending_increfs)
    cap = textwrap.wrap(clean(s.caption), cap_w) or [""]
    rows = [f"{s.index:>4}  {clean(s.op_path or '-'):<22.22} {count:>5} "
            f"{owned:>5} {pend:>5}  {cap[0]}"]
    return rows + [" " * 48 + c for c in cap[1:]]
