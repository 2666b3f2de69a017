"""Fast-forwarding `repeat` loops whose iterations repeat exactly. Trace bookkeeping, not PyO3.

PyO3 has nothing like this; it is how the model keeps a loop such as the #1056 one
(`for _ in 0..N { PyString::new(py, "x"); }`) linear and fast. Such a loop does the same
thing N times, each time to fresh objects and handles, so the record of iteration t+1 is the
record of iteration t with every fresh number moved on by a fixed stride: object ids by the
objects one iteration creates, handle ids and handle records by the handles it introduces,
pool positions by what it leaves in the pool, step and delta positions by its steps and
deltas. Recording the remaining iterations as that pattern gives the very trace the
interpreter would have recorded op by op: their steps and deltas are not stored but computed
when read (`Segment`), and the state they leave behind is built in bulk.

**When it applies.** Statically (`eligible`): the body names only handles it introduces itself
(so it cannot reach anything older through a handle) and contains no nested `repeat` and no
`py_del`. Dynamically (`run`): three consecutive iterations, run by the interpreter as usual,
must

* start from states equal in everything such a body can read: the current frame, the
  handles in scope outside the body, every thread's GIL count, GIL flag, pool marks and
  releasing entries, the pending queues, values in flight, leaks, POOL's existence, Python
  variables, threads waiting and inboxes;
* change only what they create (deltas of the kinds listed in `ALLOWED`, on objects, handles
  and pool positions of that iteration), and end each with nothing new left in scope;
* record the same extras (step notes) and differ from one another by the same stride in
  every number they record: steps, deltas, handle records, side entries, new objects'
  types and final refcounts, pool entries left behind, probe labels.

The interpreter is a deterministic function of that state, and equality of state at the
start of iterations t and t+1 (up to the strides) carries over to t+2; so the pattern holds
for every remaining iteration. Anything else (a body that queues increfs, fills a container,
sets a Python variable, creates a thread on its first pass and then differs, ...) runs op
by op as before. The machine state advances in chunks with a checkpoint at least every
`CHECKPOINT` steps, so reading any step's state costs what it costs elsewhere.
`tests/model/test_fastforward.py` runs random loops both ways and compares every step, every
delta and the state at every checkpoint.
"""

from __future__ import annotations

from itertools import repeat as _rep

from .pvec import snap_list
from .deltas import (D_COUNT, D_HDEL, D_HOLDS, D_HSET, D_MARK, D_NEWOBJ, D_PUSH, D_RC,
                     D_RELEASE, D_RELEASED, D_SIDE, D_UNMARK, decode)
from .state import CHECKPOINT, pack_handle, unpack_handle

from ..format.loops import MIN_TIMES, WARMUP, eligible  # noqa: F401 (read by callers)

ENABLED = True  # this and the bulk pool drop (`gilpool`); tests turn both off to compare
ALLOWED = frozenset((D_NEWOBJ, D_RC, D_PUSH, D_HSET, D_HDEL, D_COUNT, D_HOLDS, D_MARK,
                     D_UNMARK, D_RELEASE, D_RELEASED, D_SIDE))


# ---- watching iterations ------------------------------------------------------------------
def _signature(r):
    """What a closed body can read of the state it starts from (and must find unchanged)."""
    m = r.m
    return (r.cur, len(r.cur.scopes), len(r.handles), len(m.handles),
            tuple((k, len(v)) for k, v in r.inbox.items()), tuple(r.waiting),
            tuple((t.count, t.holds, tuple(t.marks), tuple(map(tuple, t.releasing)))
                  for t in m.threads),
            m.pinc.n, m.pdec.n, m.draining, tuple(m.flight), len(m.leaked), m.pool_init,
            tuple(m.pyvars.items()), len(m.var_names), len(m.thread_names), r._result)


class _Mark:
    """Positions at an iteration boundary."""

    __slots__ = ("steps", "s", "log", "nobj", "hid", "hrecs", "side", "executed", "owned",
                 "labels", "sig")

    def __init__(self, r):
        m = r.m
        st = r.store
        self.steps, self.s, self.log = st.nsteps, len(st.sbuf), len(m.log)
        self.nobj, self.hid, self.hrecs, self.side = m.nobj, r.next_hid, len(m.hrecs), len(m.side)
        self.executed = r.executed
        self.owned = tuple(t.owned.n for t in m.threads)
        self.labels = dict(st.labels)
        self.sig = _signature(r)


def _linear(a, b, c):
    """The per-position stride from b to c, if a, b, c are equally spaced; else None."""
    d = [y - x for x, y in zip(b, c)]
    return d if [y - x for x, y in zip(a, b)] == d else None


def _linear_tuples(ta, tb, tc):
    """Strides for sequences of tuples (side entries: pool entries split off, pending work
    taken), or None. Non-int fields must be equal; bool fields count as ints that do not move."""
    if not (len(ta) == len(tb) == len(tc)):
        return None
    out = []
    for x, y, z in zip(ta, tb, tc):
        if not (len(x) == len(y) == len(z)):
            return None
        d = []
        for u, v, w in zip(x, y, z):
            if isinstance(u, int) and isinstance(v, int) and isinstance(w, int):
                if v - u != w - v:
                    return None
                d.append(w - v)
            elif not (u == v == w):
                return None
            else:
                d.append(0)
        out.append(d)
    return out


def _owns_only_its_own(log, mk, end):
    """Every delta of the iteration that starts at `mk` is allowed and touches only what the
    iteration itself created (objects, handles, pool positions, side entries)."""
    for d in log:
        code, a, b = decode(d)
        if code not in ALLOWED:
            return False
        if code == D_RC and not mk.nobj <= a < end.nobj:
            return False
        if code == D_PUSH and not mk.nobj <= b < end.nobj:
            return False
        if code in (D_HSET, D_HDEL) and not mk.hid <= a < end.hid:
            return False
        if code in (D_RELEASE, D_MARK) and not (a < len(mk.owned) and b >= mk.owned[a]):
            return False
        if code == D_SIDE and not mk.side <= a < end.side:
            return False
    return True


class _Pattern:
    """The last iteration's record and the stride from the one before, field by field."""


def _pattern(r, m0, m1, m2, m3):
    """The pattern of the last three iterations (between the four marks), or None when they
    do not repeat exactly. Each part below fills in its fields of the pattern, or fails."""
    marks = (m0, m1, m2, m3)
    grow = _equal_strides(marks)
    if grow is None:
        return None
    p = _Pattern()
    p.spi = m3.steps - m2.steps
    if not 1 <= p.spi <= CHECKPOINT:
        return None
    parts = (_records, _extras, _tables, _objects, _labels)
    if not all(part(r, p, marks) for part in parts) or not _owned(r, p, marks, grow):
        return None
    p.objs, p.hids, p.execs = m3.nobj - m2.nobj, m3.hid - m2.hid, m3.executed - m2.executed
    return p


def _equal_strides(marks):
    """Per-thread pool growth per iteration, if the four marks have equal signatures and are
    equally spaced in every position; else None."""
    m0, m1, m2, m3 = marks
    if not (m0.sig == m1.sig == m2.sig == m3.sig):
        return None
    for f in ("steps", "s", "log", "nobj", "hid", "hrecs", "side", "executed"):
        a, b, c, d = (getattr(x, f) for x in marks)
        if not (b - a == c - b == d - c):
            return None
    if len(m3.owned) != len(m0.owned):
        return None
    grow = [m1.owned[t] - m0.owned[t] for t in range(len(m0.owned))]
    for x, y in ((m1, m2), (m2, m3)):
        if [y.owned[t] - x.owned[t] for t in range(len(grow))] != grow or min(grow, default=0) < 0:
            return None
    return grow


def _segments(buf, f, marks):
    """The three iterations' slices of `buf`, cut at each mark's field `f`."""
    m0, m1, m2, m3 = marks
    return [buf[getattr(x, f):getattr(y, f)] for x, y in ((m0, m1), (m1, m2), (m2, m3))]


def _records(r, p, marks):
    """Steps and deltas move by fixed strides, and each iteration's deltas touch only what
    it created."""
    sa, sb, sc = _segments(r.store.sbuf, "s", marks)
    p.ds = _linear(sa, sb, sc)
    la, lb, lc = _segments(r.m.log, "log", marks)
    p.dl = _linear(la, lb, lc)
    if p.ds is None or p.dl is None:
        return False
    m0, m1, m2, m3 = marks
    for lg, x, y in ((la, m0, m1), (lb, m1, m2), (lc, m2, m3)):
        if not _owns_only_its_own(lg, x, y):
            return False
    p.s, p.log = sc, lc
    return True


def _extras(r, p, marks):
    """A step's extras (notes, names) must be equal in all three iterations; the iterations
    written from the pattern share the last one's."""
    ex = r.store.extras
    m0, m1, m2, _ = marks
    p.extras = []
    for k in range(p.spi):
        e = ex.get(m2.steps + k)
        if not (ex.get(m0.steps + k) == ex.get(m1.steps + k) == e):
            return False
        if e is not None:
            p.extras.append((k, e))
    return True


def _tables(r, p, marks):
    """Handle records and side-table entries move by fixed strides, field by field."""
    m = r.m
    hr = _segments(m.hrecs, "hrecs", marks)
    p.dh = _linear(*hr)
    sd = _segments(m.side, "side", marks)
    p.dside = _linear_tuples(*sd)
    if p.dh is None or p.dside is None:
        return False
    p.h, p.side = hr[2], sd[2]
    p.hrec_fields = [[y - x for x, y in zip(unpack_handle(b), unpack_handle(c))]
                     for b, c in zip(hr[1], hr[2])]
    return True


def _objects(r, p, marks):
    """Each iteration creates objects of the same types that end with the same refcounts."""
    m = r.m
    m0, m1, m2, m3 = marks
    ty = _segments(m.types, "nobj", marks)
    if not (ty[0] == ty[1] == ty[2]) or len(m.types) != m3.nobj:
        return False
    p.types = ty[2]
    rc = [[m.rc.get(o) for o in range(x.nobj, y.nobj)] for x, y in ((m0, m1), (m1, m2), (m2, m3))]
    if not (rc[0] == rc[1] == rc[2]):
        return False
    p.rc = rc[2]
    return True


def _owned(r, p, marks, grow):
    """What each iteration leaves in a thread's pool moves by a fixed stride."""
    m0, m1, m2, m3 = marks
    p.owned = []
    for t, g in enumerate(grow):
        if not g:
            continue
        snap = r.m.threads[t].owned.snapshot()
        oa, ob, oc = (snap_list(snap, x.owned[t], y.owned[t])
                      for x, y in ((m0, m1), (m1, m2), (m2, m3)))
        d = _linear(oa, ob, oc)
        if d is None:
            return False
        p.owned.append((t, oc, d))
    return True


def _labels(r, p, marks):
    """Probes in the body move by one iteration's steps each time (or not at all)."""
    _, m1, m2, m3 = marks
    p.labels = {}
    if not (m1.labels.keys() == m2.labels.keys() == m3.labels.keys()):
        return False
    for name, v3 in m3.labels.items():
        v1, v2 = m1.labels[name], m2.labels[name]
        if not (v3 - v2 == v2 - v1 and v3 - v2 in (0, p.spi)):
            return False
        if v3 != v2:
            p.labels[name] = v3
    return True


# ---- writing iterations in bulk -----------------------------------------------------------
def _series(base, delta, t0, n):
    """Iterations t0+1 … t0+n of a pattern, flat and iteration-major: base + t·delta."""
    w = len(base)
    out = [0] * (w * n)
    for k in range(w):
        b, d = base[k], delta[k]
        if d:
            out[k::w] = range(b + d * (t0 + 1), b + d * (t0 + n + 1), d)
        else:
            out[k::w] = _rep(b, n)
    return out


def _tuples(base, deltas, n):
    """Iterations 1 … n of a sequence of tuples that move by `deltas` per iteration."""
    per = len(base)
    out = [None] * (per * n)
    for k, (tup, d) in enumerate(zip(base, deltas)):
        cols = [range(v + dv, v + dv * (n + 1), dv) if dv else _rep(v, n) for v, dv in zip(tup, d)]
        out[k::per] = list(zip(*cols))
    return out


class Segment:
    """The steps and deltas of n iterations written from a pattern, computed when read:
    iteration t (0-based) records `base + (t + 1) * stride`, field by field."""

    __slots__ = ("step_lo", "step_hi", "spi", "S", "DS", "log_lo", "log_hi", "per", "L", "DL",
                 "steps_virtual_to", "log_virtual_to")

    def __init__(self, step_lo, spi, s, ds, log_lo, log, dl, n):
        self.step_lo, self.step_hi, self.spi = step_lo, step_lo + n * spi, spi
        self.S, self.DS = [v + d for v, d in zip(s, ds)], ds
        self.log_lo, self.per = log_lo, len(log)
        self.log_hi = log_lo + n * len(log)
        self.L, self.DL = [v + d for v, d in zip(log, dl)], dl

    def step(self, i):
        t, k = divmod(i - self.step_lo, self.spi)
        k *= 4
        S, D = self.S, self.DS
        return (S[k] + t * D[k], S[k + 1] + t * D[k + 1], S[k + 2] + t * D[k + 2],
                S[k + 3] + t * D[k + 3])

    def ends(self, lo, hi):
        """Where the deltas of steps lo … hi-1 end (the fourth int of each step)."""
        return self._fields(self.S[3::4], self.DS[3::4], self.step_lo, lo, hi)

    def deltas(self, lo, hi):
        """Deltas lo … hi-1 (absolute log positions inside this segment), as a list."""
        return self._fields(self.L, self.DL, self.log_lo, lo, hi)

    @staticmethod
    def _fields(base, stride, first, lo, hi):
        """Items lo … hi-1 of the sequence whose item first + t·len(base) + k is
        base[k] + t·stride[k]."""
        per = len(base)
        t0, k0 = divmod(lo - first, per)
        n = (hi - first + per - 1) // per - t0  # iterations the range touches
        return _series(base, stride, t0 - 1, n)[k0:k0 + hi - lo]


def _fits(p, n):
    """Whether n more iterations keep every packed handle-record field in its range (so that
    the packed records, too, move by a fixed stride)."""
    for rec, d in zip(p.h, p.hrec_fields):
        last = [v + n * dv for v, dv in zip(unpack_handle(rec), d)]
        try:
            if list(unpack_handle(pack_handle(last[0], *last[1:]))) != last:
                return False
        except OverflowError:
            return False
    return True


def _write(r, p, n):
    """Record iterations 1 … n after the pattern's last one, and advance the state to match."""
    m, st = r.m, r.store
    st.flush()  # the step and delta buffers are empty from here on
    s0, l0 = st.nsteps, m.log_base
    st.add_segment(Segment(s0, p.spi, p.s, p.ds, l0, p.log, p.dl, n))
    m.log_computed(n * len(p.log))
    for k, e in p.extras:
        st.extras.update(zip(range(s0 + k, s0 + k + p.spi * n, p.spi), _rep(e, n)))
    m.add_records(_series(p.h, p.dh, 0, n) if p.h else (),
                  _tuples(p.side, p.dside, n) if p.side else (), p.types * n)
    _advance_in_chunks(r, p, n, l0)
    for name, v in p.labels.items():
        st.labels[name] = v + n * p.spi


def _advance_in_chunks(r, p, n, l0):
    """Objects, pools and counters move forward a chunk of iterations at a time, with a
    checkpoint between chunks so that no two checkpoints are more than CHECKPOINT steps apart."""
    st = r.store
    since = CHECKPOINT - st.steps_before_checkpoint()
    per_chunk = CHECKPOINT // p.spi
    c = min(n, (CHECKPOINT - since) // p.spi)  # what still fits before the next checkpoint
    done = 0
    while done < n:
        if c:
            _advance(r, p, done, c)
            done += c
            since += c * p.spi
        if done < n:
            st.checkpoint(l0 + done * len(p.log))  # the log itself is already written to the end
            since = 0
        c = min(n - done, per_chunk)
    if since == CHECKPOINT:
        st.checkpoint(l0 + n * len(p.log))  # due exactly at the end (the step loop counts from 1)
    else:
        st.set_steps_before_checkpoint(CHECKPOINT - since)


def _advance(r, p, t0, c):
    m = r.m
    if p.rc:
        m.add_objects(p.rc * c)
    for t, base, d in p.owned:
        m.pool_extend(t, _series(base, d, t0, c))
    r.store.nsteps += p.spi * c
    r.executed += p.execs * c
    r.next_hid += p.hids * c


def run(r, op, times):
    """Run a repeat loop: a few iterations op by op; the rest in bulk once they repeat exactly.
    Returns how many iterations are left for the caller to run op by op."""
    body, scopes = op.body, r.cur.scopes
    st = r.store
    st.flush()
    marks = [_Mark(r)]
    log_base, s_len = r.m.log_base, len(st.s)
    done = 0
    while done < min(times, WARMUP):
        scope = []
        scopes.append(scope)
        r.run_body(body, scope)
        r.end_scope(scopes.pop(), None, op)
        done += 1
        marks.append(_Mark(r))
        if len(marks) >= 4 and r.m.log_base == log_base and len(st.s) == s_len:
            p = _pattern(r, *marks[-4:])
            if p is not None and _fits(p, times - done):
                _write(r, p, times - done)
                st.fast_iterations += times - done
                return 0
    return times - done
