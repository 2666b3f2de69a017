"""The trace: what a run records, and the only thing views, notebooks and tests read.

A `Trace` keeps, per step, an event code, the op it belongs to and two numbers, plus the
state deltas of that step (see `state.py`); `Step.caption`, `.rust`, `.touched` and
`.state` are computed when read. `to_json()` writes format `bound_demo.trace/1`: the run's
settings and program, and every step with its caption, op path, line, Rust, event, notes,
touched and full state; `Trace.from_json` reads it back with the same attributes.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Sequence

from .concepts.errors import TraceError
from .text import captions
from .concepts.events import NAMES
from .store.snapshot import DictState, State, oid_name
from .store.deltas import (D_HSET, D_NEWOBJ, D_PCLEAR, D_PDEC, D_PINC, D_PUSH, D_RC,
                           D_RELEASE, OBJECT_CODES, PENDING_CODES, THREAD_CODES, decode)
from .store.state import Machine, handle_name_index

TRACE_FORMAT = "bound_demo.trace/1"


class Step:
    """One step of a trace. Attributes are computed from the trace when read."""

    __slots__ = ("_t", "index")

    def __init__(self, trace, index):
        self._t, self.index = trace, index

    @property
    def event(self):
        return self._t._event(self.index)

    @property
    def op(self):
        return self._t._op(self.index)

    @property
    def op_path(self):
        op = self.op
        return op.path if op is not None else None

    @property
    def line(self):
        op = self.op
        return op.line if op is not None else None

    @property
    def rust(self):
        return self._t._rust(self.index)

    @property
    def caption(self):
        return self._t._caption(self.index)

    @property
    def notes(self):
        return self._t._notes(self.index)

    @property
    def touched(self):
        return self._t._touched(self.index)

    @property
    def state(self):
        return self._t.state_at(self.index)

    def to_dict(self):
        return {"index": self.index, "event": self.event, "op_path": self.op_path,
                "line": self.line, "rust": self.rust, "caption": self.caption,
                "notes": self.notes, "touched": self.touched, "state": self.state.to_dict()}

    def __repr__(self):
        return f"Step({self.index}, {self.event!r}, {self.caption!r})"


def _step_index(i, n):
    """Step i of n (a negative i counts from the end); IndexError outside the trace."""
    if i < 0:
        i += n
    if not 0 <= i < n:
        raise IndexError("step index out of range")
    return i


class _Steps(Sequence):
    __slots__ = ("_t",)

    def __init__(self, t):
        self._t = t

    def __len__(self):
        return self._t._nsteps()

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [Step(self._t, j) for j in range(*i.indices(len(self)))]
        return Step(self._t, _step_index(i, len(self)))


class Trace:
    """The record of one run of a program against one release profile."""

    def __init__(self, program, prof, runner, error):
        self.program_obj, self.prof, self.error = program, prof, error
        # The trace keeps what the run recorded (its store and the machine's tables), not the
        # interpreter that ran it.
        self._store = st = runner.store
        self._executed = runner.executed
        m = st.m
        # The 7th table says whether states carry the pyclass fields (issue 13): None for a
        # program without `classes`, else whether every pyclass is a GC type in this release.
        pyclass = prof.pyclass_always_gc if "classes" in program.raw else None
        self._tables = (m.types, m.thread_names, m.hrecs, m.var_names, m.side, m.hnames, pyclass)
        self._final = State(m.snapshot(), self._tables)

    # ---- settings ----------------------------------------------------------------------
    @property
    def pyo3(self):
        return self.prof.pyo3

    @property
    def features(self):
        return self.prof.features

    @property
    def cfg(self):
        return self.prof.cfg

    @property
    def program(self):
        return self.program_obj.raw

    @property
    def rust(self):
        return self.program_obj.rust

    @property
    def title(self):
        return self.program_obj.title

    @property
    def label(self):
        return self.prof.label

    @property
    def executed_ops(self):
        """Program ops run (each repeat iteration counts its ops again)."""
        return self._executed

    # ---- steps ---------------------------------------------------------------------------
    @property
    def steps(self):
        return _Steps(self)

    def _nsteps(self):
        return self._store.nsteps

    def _event(self, i):
        return NAMES[self._store.step_fields(i)[0]]

    def _op(self, i):
        k = self._store.step_fields(i)[1]
        return self.program_obj.flat[k] if k >= 0 else None

    def _extra(self, i):
        return self._store.extras.get(i) or {}

    def _notes(self, i):
        return list(self._extra(i).get("notes", ()))

    def _rust(self, i):
        from .text.rust import rust_for
        op = self._op(i)
        if op is None:
            return None
        if self.rust and op.line:
            lines = self.rust.splitlines()
            if 1 <= op.line <= len(lines):
                return lines[op.line - 1]
        return rust_for(op, self.prof)

    def _caption(self, i):
        ev, _, a, b, _ = self._store.step_fields(i)
        return captions.caption(self, i, NAMES[ev], self._op(i), a, b, self._extra(i))

    def _deltas(self, i):
        r = self._store
        return r.log_slice(r.delta_end(i - 1), r.delta_end(i))

    def _touched(self, i):
        hrecs, hnames = self._tables[2], self._tables[5]
        acc = _Touched(lambda hidx: hnames[handle_name_index(hrecs[hidx])])
        for d in self._deltas(i):
            code, a, b = decode(d)
            touch = _TOUCH.get(code)
            if touch is not None:
                touch(acc, a, b)
        tnames = self._tables[1]
        return {"objects": [oid_name(o) for o in sorted(acc.objects)],
                "threads": [tnames[t] for t in sorted(acc.threads)],
                "handles": acc.handles, "pending": acc.pending}

    # ---- states ----------------------------------------------------------------------------
    def state_at(self, i):
        """The complete state after step i: one checkpoint plus fewer than 2·CHECKPOINT steps of deltas."""
        r = self._store
        i = _step_index(i, r.nsteps)
        hi = r.delta_end(i)
        c = bisect_right(r.cp_steps, i + 1) - 1
        if r.cp_log[c] > hi:
            c -= 1  # taken after some of step i+1's deltas: start from the one before
        snap, lo = r.checkpoints[c], r.cp_log[c]
        if lo == hi:
            return State(snap, self._tables)
        m = self._machine(snap)
        m.replay(r.log_slice(lo, hi))
        return State(m.snapshot(), self._tables)

    def iter_states(self, start=0, stop=None, every=1):
        """States of steps start, start+every, ... < stop, by one forward replay: the whole
        trace costs one pass over its deltas (use this for charts, not `steps[i].state`)."""
        r = self._store
        stop = r.nsteps if stop is None else min(stop, r.nsteps)
        if start >= stop:
            return
        c = bisect_right(r.cp_steps, start) - 1
        m = self._machine(r.checkpoints[c])
        for i, deltas in r.step_deltas(r.cp_steps[c], stop, r.cp_log[c]):
            m.replay(deltas)
            if len(m.log) > 4096:
                del m.log[:]  # the replay's own log is never read
            if i >= start and (i - start) % every == 0:
                yield i, State(m.snapshot(), self._tables)

    def _machine(self, snap):
        """A machine started from a checkpoint, sharing the run's append-only tables (a
        replay reads them and adds nothing)."""
        m = self._store.m
        return Machine(snap, hrecs=m.hrecs, thread_names=m.thread_names, var_names=m.var_names,
                       types=m.types, side=m.side, hnames=m.hnames)

    def series(self, objects=None):
        """Per-step numbers for charts, in one pass over the deltas (no states built):
        `owned[thread]` pool lengths, `pending_increfs` / `pending_decrefs` queue lengths and
        `refcounts[oid]` for the objects asked for (default: the first 12 created)."""
        st = self._store
        acc = _Series(self._tables[1], objects)
        for i, deltas in st.step_deltas(0, st.nsteps, 0):
            for d in deltas:
                acc.apply(i, *decode(d))
            acc.record()
        return acc.result(st.nsteps)

    def table(self, width=None):
        """A readable step table (what `python -m bound_demo run` prints)."""
        from .text.tables import step_table
        return step_table(self, width)

    def at(self, label):
        i = self._store.labels.get(label)
        if i is None:
            raise KeyError(f"no probe labelled {label!r} ran")
        return self.state_at(i)

    @property
    def labels(self):
        return dict(self._store.labels)

    @property
    def final(self):
        return self._final

    # ---- JSON ------------------------------------------------------------------------------
    def to_dict(self):
        return {
            "format": TRACE_FORMAT,
            "pyo3": self.pyo3, "features": list(self.features), "cfg": list(self.cfg),
            # Written only for a free-threaded build, so GIL-build traces stay as they were.
            **({"free_threaded": True} if self.prof.free_threaded else {}),
            "program": {k: v for k, v in self.program.items()},
            "error": self.error.to_dict() if self.error else None,
            "labels": self.labels,
            "executed_ops": self.executed_ops,
            "steps": [s.to_dict() for s in self.steps],
            "final": self.final.to_dict(),
        }

    def to_json(self, indent=None):
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @staticmethod
    def from_json(text):
        """A trace from JSON text, bytes or a dict; every field is checked first
        (`trace_check`), so a malformed or tampered trace is a `ValueError`."""
        from .trace_check import parse_json
        return LoadedTrace(parse_json(text))


class _Touched:
    """What `Trace._touched` collects from one step's deltas; `_TOUCH` says which method
    each delta code calls."""

    def __init__(self, handle_name):
        self.objects, self.threads, self.handles, self.pending = set(), set(), [], False
        self._handle_name = handle_name  # handle record index -> the handle's name

    def object(self, a, b):
        self.objects.add(a)

    def thread(self, a, b):
        self.threads.add(a)

    def pending_object(self, a, b):
        self.objects.add(a)
        self.pending = True

    def pending_cleared(self, a, b):
        self.pending = True

    def handle(self, a, b):
        name = self._handle_name(b)
        if name not in self.handles:
            self.handles.append(name)


_TOUCH = {**dict.fromkeys(OBJECT_CODES, _Touched.object),
          **dict.fromkeys(THREAD_CODES, _Touched.thread),
          **dict.fromkeys(PENDING_CODES, _Touched.pending_object),
          D_PCLEAR: _Touched.pending_cleared, D_HSET: _Touched.handle}


class _Series:
    """What `Trace.series` accumulates: one `apply` per delta, one `record` per step."""

    def __init__(self, thread_names, objects):
        self.names = thread_names
        self.want = None if objects is None else {int(o[1:]) - 1 for o in objects}
        self.owned = [0] * len(thread_names)
        self.inc = self.dec = 0
        self.rcs = {}  # oid -> its refcount now, for the objects charted
        self.out_owned = {n: [] for n in thread_names}
        self.out_inc, self.out_dec, self.out_rc = [], [], {}

    def _charted(self, oid):
        if self.want is None:
            return len(self.rcs) < 12
        return oid in self.want

    def apply(self, i, code, a, b):
        """One delta of step i; `_SERIES` says which method each code that matters calls."""
        count = _SERIES.get(code)
        if count is not None:
            count(self, i, a, b)

    def _refcount(self, i, a, b):
        if a in self.rcs:
            self.rcs[a] = b

    def _pushed(self, i, a, b):
        self.owned[a] += 1

    def _created(self, i, a, b):
        self.new_object(i, a)

    def _released(self, i, a, b):
        self.owned[a] = b

    def _queued_incref(self, i, a, b):
        self.inc += 1

    def _queued_decref(self, i, a, b):
        self.dec += 1

    def _queues_taken(self, i, a, b):
        self.inc = self.dec = 0

    def new_object(self, i, oid):
        """Object `oid` is created at step i: charted from there on (0 before) if asked for."""
        if self._charted(oid):
            self.rcs[oid] = 1
            self.out_rc[oid] = [0] * i

    def record(self):
        """Close a step: append every series' value after it."""
        owned = self.owned
        for t, n in enumerate(self.names):
            self.out_owned[n].append(owned[t] if t < len(owned) else 0)
        self.out_inc.append(self.inc)
        self.out_dec.append(self.dec)
        for a, v in self.rcs.items():
            self.out_rc[a].append(v)

    def result(self, nsteps):
        return {"steps": nsteps, "owned": self.out_owned, "pending_increfs": self.out_inc,
                "pending_decrefs": self.out_dec,
                "refcounts": {oid_name(a): v for a, v in self.out_rc.items()}}


_SERIES = {D_RC: _Series._refcount, D_PUSH: _Series._pushed, D_NEWOBJ: _Series._created,
           D_RELEASE: _Series._released, D_PINC: _Series._queued_incref,
           D_PDEC: _Series._queued_decref, D_PCLEAR: _Series._queues_taken}


def _series_from_state(acc, state, names, seen):
    """Feed one stored state to a `_Series` (a loaded trace has states, not deltas); `seen`
    objects were created before it. Returns how many have been created after it."""
    objects = state.objects
    for k, name in enumerate(objects):
        if k >= seen:
            acc.new_object(len(acc.out_inc), k)
        if k in acc.rcs:
            acc.rcs[k] = objects[name].refcount
    threads = state.threads
    acc.owned = [threads[n].owned_len if n in threads else 0 for n in names]
    acc.inc, acc.dec = len(state.pending_increfs), len(state.pending_decrefs)
    return len(objects)


class LoadedTrace(Trace):
    """A trace read back from JSON: the same attributes, backed by the stored data."""

    def __init__(self, d):
        from .trace_check import check_trace
        from .versions import profile
        program = check_trace(d)
        self._d = d
        self.prof = profile(d["pyo3"], d["features"], d["cfg"], d.get("free_threaded", False))
        self.program_obj = program
        e = d.get("error")
        self.error = TraceError(e["kind"], e["op_path"], e["message"], e.get("step")) if e else None
        self._final = DictState(d["final"])
        self._ops_by_path = None

    def _nsteps(self):
        return len(self._d["steps"])

    def _s(self, i):
        return self._d["steps"][i]

    def _event(self, i):
        return self._s(i)["event"]

    def _op(self, i):
        path = self._s(i)["op_path"]
        if path is None:
            return None
        if self._ops_by_path is None:
            # Built once: a step's op by its path in O(1), however long the trace.
            self._ops_by_path = {op.path: op for op in self.program_obj.flat}
        return self._ops_by_path.get(path)

    @property
    def executed_ops(self):
        n = self._d.get("executed_ops")
        if n is None:
            raise AttributeError("executed_ops: this trace JSON was written before the field "
                                 "existed; run the program again to get it")
        return n

    def series(self, objects=None):
        """`Trace.series`, computed from the stored state of every step."""
        names = list(self._final.threads)
        acc = _Series(names, objects)
        seen = 0
        for _, state in self.iter_states():
            seen = _series_from_state(acc, state, names, seen)
            acc.record()
        return acc.result(self._nsteps())

    def _notes(self, i):
        return list(self._s(i)["notes"])

    def _rust(self, i):
        return self._s(i)["rust"]

    def _caption(self, i):
        return self._s(i)["caption"]

    def _touched(self, i):
        return self._s(i)["touched"]

    def state_at(self, i):
        return DictState(self._s(i)["state"])

    def iter_states(self, start=0, stop=None, every=1):
        stop = self._nsteps() if stop is None else min(stop, self._nsteps())
        for i in range(start, stop, every):
            yield i, self.state_at(i)

    def at(self, label):
        i = self._d["labels"].get(label)
        if i is None:
            raise KeyError(f"no probe labelled {label!r} ran")
        return self.state_at(i)

    @property
    def labels(self):
        return dict(self._d["labels"])
