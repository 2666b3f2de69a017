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


def _field_stride(u, v, w):
    """The stride of one tuple field over three iterations, or None. Non-int fields must be
    equal (stride 0); bool fields count as ints that do not move."""
    if isinstance(u, int) and isinstance(v, int) and isinstance(w, int):
        return w - v if v - u == w - v else None
    return 0 if u == v == w else None


def _tuple_strides(x, y, z):
    """The field strides of one tuple over three iterations, or None."""
    if not (len(x) == len(y) == len(z)):
        return None
    d = [_field_stride(u, v, w) for u, v, w in zip(x, y, z)]
    return None if None in d else d


def _linear_tuples(ta, tb, tc):
    """Strides for sequences of tuples (side entries: pool entries split off, pending work
    taken), or None."""
    if not (len(ta) == len(tb) == len(tc)):
        return None
    out = [_tuple_strides(x, y, z) for x, y, z in zip(ta, tb, tc)]
    return None if None in out else out


# Whether a delta's operands name only what the iteration between marks `mk` and `end`
# created: one check per delta code in ALLOWED (codes that name no object, handle, pool
# position or side entry pass as they are).
def _own_object(a, b, mk, end):
    return mk.nobj <= a < end.nobj


def _own_pushed(a, b, mk, end):
    return mk.nobj <= b < end.nobj


def _own_handle(a, b, mk, end):
    return mk.hid <= a < end.hid


def _own_pool_position(a, b, mk, end):
    return a < len(mk.owned) and b >= mk.owned[a]


def _own_side(a, b, mk, end):
    return mk.side <= a < end.side


def _names_nothing(a, b, mk, end):
    return True


_OWN = {D_RC: _own_object, D_PUSH: _own_pushed, D_HSET: _own_handle, D_HDEL: _own_handle,
        D_RELEASE: _own_pool_position, D_MARK: _own_pool_position, D_SIDE: _own_side,
        **{code: _names_nothing for code in (D_NEWOBJ, D_COUNT, D_HOLDS, D_UNMARK, D_RELEASED)}}
assert _OWN.keys() == ALLOWED


def _owns_delta(d, mk, end):
    code, a, b = decode(d)
    check = _OWN.get(code)  # None: a delta kind a fast-forwarded body may not record
    return check is not None and check(a, b, mk, end)


def _owns_only_its_own(log, mk, end):
    """Every delta of the iteration that starts at `mk` is allowed and touches only what the
    iteration itself created (objects, handles, pool positions, side entries)."""
    return all(_owns_delta(d, mk, end) for d in log)


class _Pattern:
    """The last iteration's record and the stride from the one before, field by field."""


def _pattern(r, m0, m1, m2, m3):
    """The pattern of the last three iterations (between the four marks), or None when they
    do not repeat exactly. Each part below fills in its fields of the pattern, or fails."""
    marks = (m0, m1, m2, m3)
    grow, spi = _equal_strides(marks), m3.steps - m2.steps
    if grow is None or not 1 <= spi <= CHECKPOINT:
        return None
    p = _Pattern()
    p.spi, p.grow = spi, grow
    if not all(part(r, p, marks) for part in _PARTS):
        return None
    p.objs, p.hids, p.execs = m3.nobj - m2.nobj, m3.hid - m2.hid, m3.executed - m2.executed
    return p


# The positions that must move by the same amount in every iteration.
_POSITIONS = ("steps", "s", "log", "nobj", "hid", "hrecs", "side", "executed")


def _equally_spaced(marks, f):
    a, b, c, d = (getattr(x, f) for x in marks)
    return b - a == c - b == d - c


def _same_shape(marks):
    """The four marks have equal signatures and are equally spaced in every position."""
    m0, m1, m2, m3 = marks
    return (m0.sig == m1.sig == m2.sig == m3.sig and len(m3.owned) == len(m0.owned)
            and all(_equally_spaced(marks, f) for f in _POSITIONS))


def _pool_growth(x, y):
    return [y.owned[t] - x.owned[t] for t in range(len(x.owned))]


def _equal_strides(marks):
    """Per-thread pool growth per iteration, if the four marks have equal signatures and are
    equally spaced in every position; else None."""
    if not _same_shape(marks):
        return None
    ga, gb, gc = (_pool_growth(x, y) for x, y in _pairs(marks))
    return ga if ga == gb == gc and min(ga, default=0) >= 0 else None


def _pairs(marks):
    """The three iterations, as (start mark, end mark)."""
    return zip(marks, marks[1:])


def _segments(buf, f, marks):
    """The three iterations' slices of `buf`, cut at each mark's field `f`."""
    m0, m1, m2, m3 = marks
    return [buf[getattr(x, f):getattr(y, f)] for x, y in ((m0, m1), (m1, m2), (m2, m3))]


def _records(r, p, marks):
    """Steps and deltas move by fixed strides, and each iteration's deltas touch only what
    it created."""
    steps = _segments(r.store.sbuf, "s", marks)
    logs = _segments(r.m.log, "log", marks)
    p.ds, p.dl = _linear(*steps), _linear(*logs)
    p.s, p.log = steps[2], logs[2]
    return (p.ds is not None and p.dl is not None
            and all(_owns_only_its_own(lg, x, y) for lg, (x, y) in zip(logs, _pairs(marks))))


def _extras(r, p, marks):
    """A step's extras (notes, names) must be equal in all three iterations; the iterations
    written from the pattern share the last one's."""
    ex = r.store.extras
    m0, m1, m2, _ = marks
    at = [(ex.get(m0.steps + k), ex.get(m1.steps + k), ex.get(m2.steps + k)) for k in range(p.spi)]
    p.extras = [(k, e) for k, (_, _, e) in enumerate(at) if e is not None]
    return all(a == b == c for a, b, c in at)


def _hrec_field_strides(b_recs, c_recs):
    """How each field of each packed handle record moves from one iteration to the next."""
    return [[y - x for x, y in zip(unpack_handle(b), unpack_handle(c))]
            for b, c in zip(b_recs, c_recs)]


def _tables(r, p, marks):
    """Handle records and side-table entries move by fixed strides, field by field."""
    hr = _segments(r.m.hrecs, "hrecs", marks)
    sd = _segments(r.m.side, "side", marks)
    p.dh, p.dside = _linear(*hr), _linear_tuples(*sd)
    p.h, p.side = hr[2], sd[2]
    if p.dh is None or p.dside is None:
        return False
    p.hrec_fields = _hrec_field_strides(hr[1], hr[2])
    return True


def _objects(r, p, marks):
    """Each iteration creates objects of the same types that end with the same refcounts."""
    m = r.m
    ty = _segments(m.types, "nobj", marks)
    rc = [[m.rc.get(o) for o in range(x.nobj, y.nobj)] for x, y in _pairs(marks)]
    p.types, p.rc = ty[2], rc[2]
    return len(m.types) == marks[3].nobj and ty[0] == ty[1] == ty[2] and rc[0] == rc[1] == rc[2]


def _pool_stride(r, t, marks):
    """(thread, last iteration's pool entries, their stride) for thread t, or None."""
    snap = r.m.threads[t].owned.snapshot()
    oa, ob, oc = (snap_list(snap, x.owned[t], y.owned[t]) for x, y in _pairs(marks))
    d = _linear(oa, ob, oc)
    return None if d is None else (t, oc, d)


def _owned(r, p, marks):
    """What each iteration leaves in a thread's pool moves by a fixed stride."""
    p.owned = [_pool_stride(r, t, marks) for t, g in enumerate(p.grow) if g]
    return None not in p.owned


def _label_moves(v1, v2, v3, spi):
    return v3 - v2 == v2 - v1 and v3 - v2 in (0, spi)


def _labels(r, p, marks):
    """Probes in the body move by one iteration's steps each time (or not at all)."""
    _, m1, m2, m3 = marks
    if not (m1.labels.keys() == m2.labels.keys() == m3.labels.keys()):
        return False
    trios = {name: (m1.labels[name], m2.labels[name], v3) for name, v3 in m3.labels.items()}
    p.labels = {name: v3 for name, (_, v2, v3) in trios.items() if v3 != v2}
    return all(_label_moves(v1, v2, v3, p.spi) for v1, v2, v3 in trios.values())


# The parts of a pattern, each filling in its fields or failing (in this order: the cheap
# record checks first).
_PARTS = (_records, _extras, _tables, _objects, _labels, _owned)


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


def _iterate(r, op, scopes):
    """One iteration of the loop, op by op, in a scope of its own."""
    scope = []
    scopes.append(scope)
    r.run_body(op.body, scope)
    r.end_scope(scopes.pop(), None, op)


def _bulk(r, marks, left):
    """Write the `left` remaining iterations from the pattern of the last three, if they
    repeat exactly and the pattern stays in range; returns whether it did."""
    p = _pattern(r, *marks[-4:])
    if p is None or not _fits(p, left):
        return False
    _write(r, p, left)
    r.store.fast_iterations += left
    return True


def run(r, op, times):
    """Run a repeat loop: a few iterations op by op; the rest in bulk once they repeat exactly.
    Returns how many iterations are left for the caller to run op by op."""
    scopes, st = r.cur.scopes, r.store
    st.flush()
    marks = [_Mark(r)]
    # Marks count positions in the step and delta buffers, which a flush empties: the pattern
    # is only looked for while none has happened since the loop started.
    unflushed = (r.m.log_base, len(st.s))
    warm = max(0, min(times, WARMUP))
    for done in range(1, warm + 1):
        _iterate(r, op, scopes)
        marks.append(_Mark(r))
        if len(marks) >= 4 and (r.m.log_base, len(st.s)) == unflushed and _bulk(r, marks, times - done):
            return 0
    return times - warm
