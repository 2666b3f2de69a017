"""The record of a run: its steps, the delta log's reading side and the checkpoints.
Trace bookkeeping, not PyO3.

The interpreter (`rules.interpreter.Runner`) writes steps here as it runs; the `Trace` it
hands back keeps this store (and the `Machine` whose log and tables it reads), not the
interpreter. A step is four ints: `event | (op index + 1) << 8`, the numbers a and b, and
where its deltas end in the log. Like the delta log, steps are buffered in a list and packed
into an array in bulk (`flush`). Loops that `fastforward` wrote from their pattern are held
as `Segment`s that compute their steps and deltas when read.

Checkpoint k is the state once `cp_steps[k]` steps are done and the delta log has reached
`cp_log[k]`. The step loop takes one every CHECKPOINT steps, right after a step; a
fast-forwarded loop takes them at iteration boundaries, where the log may already hold deltas
of the next step (a scope's handles leaving after its last drop). Two are never more than
CHECKPOINT steps apart, so a state is one checkpoint plus fewer than 2·CHECKPOINT steps of
deltas.
"""

from __future__ import annotations

import struct
from array import array
from bisect import bisect_right
from itertools import chain, repeat

from ..format.program import MAX_STORED_STEPS, ProgramError
from .state import CHECKPOINT


class TraceStore:
    """Steps, extras (step notes), probe labels and checkpoints of one run."""

    def __init__(self, m):
        self.m = m
        self.log = m.log
        self.s = array("q")
        self.sbuf = []
        self.segments, self._seg_steps, self._seg_logs = [], [], []
        self.nsteps = 0
        self._until_checkpoint = CHECKPOINT
        self.extras = {}
        self.labels = {}
        self.checkpoints = [m.snapshot()]
        self.cp_steps = [0]
        self.cp_log = [0]
        self.fast_iterations = 0  # loop iterations `fastforward` wrote in bulk

    # ---- recording steps ---------------------------------------------------------------------------
    def step(self, ev, op, a=-1, b=-1, extra=None):
        """Close a step: every delta logged since the previous step belongs to it."""
        i = self.nsteps
        self.nsteps = i + 1
        sbuf = self.sbuf
        sbuf.extend((ev | (op.index + 1 if op is not None else 0) << 8, a, b,
                     self.m.log_base + len(self.log)))
        if extra:
            self.extras[i] = extra
        self._until_checkpoint -= 1
        if not self._until_checkpoint:
            self.checkpoint()
            if len(sbuf) > 65536:
                self.flush()

    @staticmethod
    def step_meta(ev, op):
        """The first int of a step record: its event and op."""
        return ev | (op.index + 1 if op is not None else 0) << 8

    def steps_before_checkpoint(self):
        return self._until_checkpoint

    def add_steps(self, meta, a_vals, b_vals, ends):
        """Close len(a_vals) steps at once, all with the same `meta` (see `step_meta`), the
        numbers a and b and the given delta ends; no more than `steps_before_checkpoint()`."""
        k = len(a_vals)
        self.sbuf.extend(chain.from_iterable(zip(repeat(meta, k), a_vals, b_vals, ends)))
        self._steps_added(k)

    def _steps_added(self, k):
        """k steps were appended to `sbuf` in bulk (no more than the steps left before
        the next checkpoint is due): count them, and take that checkpoint if it is due now."""
        self.nsteps += k
        self._until_checkpoint -= k
        if not self._until_checkpoint:
            self.checkpoint()
            if len(self.sbuf) > 65536:
                self.flush()

    def checkpoint(self, log_pos=None):
        """Snapshot the state; `log_pos` is where the delta log stands for it (default: its end)."""
        if (len(self.s) + len(self.sbuf)) // 4 > MAX_STORED_STEPS:
            # A cap on what the run stores (program.MAX_STORED_STEPS): checked here, once
            # every CHECKPOINT steps, to keep the step loop itself free of it.
            raise ProgramError("ops", f"the run recorded more than the cap of {MAX_STORED_STEPS:,} "
                                      "steps one by one: make the loop shorter")
        self._until_checkpoint = CHECKPOINT
        self.checkpoints.append(self.m.snapshot())
        self.cp_steps.append(self.nsteps)
        self.cp_log.append(self.m.log_base + len(self.m.log) if log_pos is None else log_pos)

    def flush(self):
        """Pack the step and delta buffers into their arrays."""
        sbuf = self.sbuf
        if sbuf:
            self.s.frombytes(struct.pack(f"{len(sbuf)}q", *sbuf))
            del sbuf[:]
        self.m.flush_log()

    def set_steps_before_checkpoint(self, k):
        """A bulk writer (`fastforward`) took its own checkpoints: the next is due in k steps."""
        self._until_checkpoint = k

    # ---- reading steps and deltas back -----------------------------------------------------
    # Steps and deltas live in `self.s` and `self.m.log_array`, except those of loops that
    # `fastforward` wrote from their pattern: a `Segment` computes those on demand.
    def _step(self, i):
        """The four ints of step i."""
        k = 4 * i
        if self.segments:
            j = bisect_right(self._seg_steps, i) - 1
            if j >= 0:
                g = self.segments[j]
                if i < g.step_hi:
                    return g.step(i)
                k = 4 * (i - g.steps_virtual_to)
        s = self.s
        return s[k], s[k + 1], s[k + 2], s[k + 3]

    def step_fields(self, i):
        """(event, op index or -1, a, b, delta end) of step i."""
        meta, a, b, end = self._step(i)
        return meta & 255, (meta >> 8) - 1, a, b, end

    def delta_end(self, i):
        return self._step(i)[3] if i >= 0 else 0

    def _stretches(self, lo, hi, steps):
        """Split positions lo … hi-1 (step indices, or with `steps=False` log positions) into
        stretches: (segment, start, end) where a segment computes them, (None, start, end)
        with start and end as indices into the stored array where they are stored."""
        starts = self._seg_steps if steps else self._seg_logs
        p = lo
        while p < hi:
            stretch, p = self._stretch(p, hi, steps, starts)
            yield stretch

    def _stretch(self, p, hi, steps, starts):
        """The stretch that starts at position p (see `_stretches`), and where it ends."""
        j = bisect_right(starts, p) - 1  # the last segment starting at or before p, or -1
        if j < 0:
            e = self._stored_until(j, hi, starts)
            return (None, p, e), e
        g = self.segments[j]
        g_hi, off = (g.step_hi, g.steps_virtual_to) if steps else (g.log_hi, g.log_virtual_to)
        if p < g_hi:
            e = min(hi, g_hi)
            return (g, p, e), e
        e = self._stored_until(j, hi, starts)
        # Stored positions after segment j sit in the array shifted back by what all segments
        # up to j computed instead of storing.
        return (None, p - off, e - off), e

    def _stored_until(self, j, hi, starts):
        """Where the stored stretch after segment j (j = -1: before the first) ends, by hi."""
        return min(hi, starts[j + 1]) if j + 1 < len(self.segments) else hi

    def log_slice(self, lo, hi):
        """Deltas lo … hi-1 of the whole log (a list, or an array slice when none is virtual)."""
        arr = self.m.log_array
        if not self.segments:
            return arr[lo:hi]
        out = []
        for g, a, b in self._stretches(lo, hi, steps=False):
            out += g.deltas(a, b) if g is not None else arr[a:b]
        return out

    def delta_ends(self, lo, hi):
        """`[delta_end(i) for i in range(lo, hi)]`, a stretch at a time."""
        s, out = self.s, []
        for g, a, b in self._stretches(lo, hi, steps=True):
            out += g.ends(a, b) if g is not None else s[4 * a + 3:4 * b:4]
        return out

    def step_deltas(self, first, stop, pos):
        """(i, deltas of step i not yet read) for steps first … stop-1, given that the log
        has been read up to `pos`: one forward pass, reading the log in blocks."""
        block = 4096
        for b0 in range(first, stop, block):
            ends = self.delta_ends(b0, min(stop, b0 + block))
            base = pos
            chunk = self.log_slice(pos, max(pos, ends[-1]))
            for i, end in enumerate(ends, b0):
                if end > pos:
                    yield i, chunk[pos - base:end - base]
                    pos = end
                else:
                    yield i, ()

    def add_segment(self, g):
        """Steps and deltas from here on that a `fastforward.Segment` computes; both buffers
        must be flushed first."""
        prev = self.segments[-1] if self.segments else None
        g.steps_virtual_to = (prev.steps_virtual_to if prev else 0) + g.step_hi - g.step_lo
        g.log_virtual_to = (prev.log_virtual_to if prev else 0) + g.log_hi - g.log_lo
        self.segments.append(g)
        self._seg_steps.append(g.step_lo)
        self._seg_logs.append(g.log_lo)
