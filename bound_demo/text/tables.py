"""Step tables: a trace as plain text, one row per step (the CLI's `run` output and
`Trace.table()`). Text only; no model logic."""

from __future__ import annotations

import shutil
import textwrap


def step_table(trace, width=None):
    """A readable table of a trace's steps: what ran, counts and pool sizes, the caption."""
    width = width or shutil.get_terminal_size((120, 20)).columns
    head = f"{'#':>4}  {'op':<22} {'count':>5} {'pool':>5} {'pend':>5}  what happened"
    lines = [f"{trace.label}: {len(trace.steps)} steps", head, "-" * min(width, 120)]
    cap_w = max(30, width - 48)
    for s in trace.steps:
        st = s.state
        th = st.threads.get("main")
        tname = next(iter(s.touched["threads"]), "main")
        th = st.threads.get(tname, th)
        pend = len(st.pending_decrefs) + len(st.pending_increfs)
        cap = textwrap.wrap(s.caption, cap_w) or [""]
        lines.append(f"{s.index:>4}  {(s.op_path or '-'):<22.22} {th.gil_count:>5} "
                     f"{th.owned_len:>5} {pend:>5}  {cap[0]}")
        lines += [" " * 48 + c for c in cap[1:]]
    if trace.error:
        lines.append(f"\n{trace.error.kind} at {trace.error.op_path}: {trace.error.message}")
    return "\n".join(lines)


def stage_report(trace):
    """One migration stage of a `records`-shaped program (bound_demo.scenarios.records) in a few
    lines: whether it runs, the pool and refcounts before the return, what Python holds after,
    and every deprecation note."""
    before, after = trace.at("before_return"), trace.at("returned")
    lines = [f"{trace.label} - " + (f"error: {trace.error.message}" if trace.error else "runs"),
             f"  pool before return : {before.threads['main'].owned}",
             f"  refcounts before   : {before.refcount_table()}",
             f"  refcounts returned : {after.refcount_table()}  Python holds {after.py_vars}"]
    lines += [f"  note: {n}" for n in sorted({n for s in trace.steps for n in s.notes})]
    return "\n".join(lines)
