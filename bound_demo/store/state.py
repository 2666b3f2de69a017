"""The machine state of one run and the snapshots a trace hands out.

Layout (what lives where):

* Python objects: a type and a refcount each (`ffi::Py_REFCNT`), plus the slots of
  containers (CPython `PyListObject.ob_item`, `PyTupleObject.ob_item`).
* Per thread: PyO3's `GIL_COUNT` (0.26+: `ATTACH_COUNT`), whether the thread holds
  CPython's GIL, its `OWNED_OBJECTS` vector, and the watermarks (`GILPool.start`) of the
  pools alive on it.
* Process-global: `POOL`, the pending incref and decref queues (`ReferencePool`).
* Rust handles (variables) and Python-side variables.

**State changes in one place.** Every change goes through a method of `Machine` below;
the PyO3 concept modules never write its fields themselves. Each primitive appends a
*delta* (packed as `deltas` describes) to the log, and `replay` feeds logged deltas back
through the very same primitives; so a state rebuilt for step *i* is by construction the
state the run had at step *i*. The bulk primitives (`released_decrefs`, and those
`fastforward` writes repeated loop iterations with) make the same changes for many steps
at once. Snapshots are O(1) thanks to `pvec.PVec` structural sharing; checkpoints are never
more than `CHECKPOINT` steps apart, so the state of any step is one checkpoint plus fewer
than 2·`CHECKPOINT` steps of deltas (see `record`).
"""

from __future__ import annotations

import struct
from array import array
from itertools import chain, repeat

from .deltas import (A_SHIFT, B_SHIFT, COUNT_BIAS, D_COUNT, D_DRAINED, D_FLIGHT, D_HDEL,
                     D_HOLDS, D_HSET, D_ITEM, D_ITEMS_CLEAR, D_LAND, D_LEAK, D_MARK, D_NEWOBJ,
                     D_PCLEAR, D_PDEC, D_PINC, D_POOLINIT, D_PUSH, D_PYVAR, D_RC, D_RELEASE,
                     D_RELEASED, D_SIDE, D_THREAD, D_UNMARK, D_CLASS, D_FIELD, D_BORROW, D_GC,
                     FIELD_BITS, decode, encode)
from .names import Kind, ObjType, Status
from .pvec import LEAF, Editor, PVec, snap_get, snap_list

CHECKPOINT = 256
# The stored codes' names, as the plain strings a state reports (see `names`).
TYPES = tuple(t.value for t in ObjType)
KINDS = tuple(k.value for k in Kind)
STATUSES = tuple(s.value for s in Status)



# A handle record is one int, not a tuple: a loop of a million iterations leaves a million
# records, and a million tuples would cost the cyclic collector a long pass (ints it never
# tracks). Fields, low bits first: hid, kind, status, owns, tid, oid + 1, borrowed hid + 1,
# then the index of the name in the table of handle names.
_HFIELDS = ((0, 27), (27, 4), (31, 2), (33, 1), (34, 17), (51, 26), (77, 27))
_NAME_SHIFT = 104
_HID_MASK = (1 << 27) - 1


def pack_handle(hid, name_idx, kind, oid, tid, status, owns, borrows):
    vals = (hid, kind, status, int(owns), tid, oid + 1, borrows + 1)
    x = name_idx << _NAME_SHIFT
    for (shift, width), v in zip(_HFIELDS, vals):
        if not 0 <= v < 1 << width:
            raise OverflowError("bound_demo handle record field out of range")
        x |= v << shift
    return x


def unpack_handle(x):
    """(hid, name index, kind, oid or -1, tid, status, owns, borrowed hid or -1)."""
    hid, kind, status, owns, tid, oid1, b1 = ((x >> s) & ((1 << w) - 1) for s, w in _HFIELDS)
    return hid, x >> _NAME_SHIFT, kind, oid1 - 1, tid, status, bool(owns), b1 - 1


def handle_hid(x):
    return x & _HID_MASK


def handle_name_index(x):
    return x >> _NAME_SHIFT


def latest_record(hrecs, hid, stop=None):
    """The newest record of handle `hid` among hrecs[:stop], or None."""
    for i in range((len(hrecs) if stop is None else stop) - 1, -1, -1):
        if hrecs[i] & _HID_MASK == hid:
            return hrecs[i]
    return None


class Thread:
    """Live per-thread state: mirrors the thread-locals `GIL_COUNT` and `OWNED_OBJECTS`."""

    __slots__ = ("name", "count", "holds", "owned", "marks", "releasing")

    def __init__(self, name, editor, snap=None):
        self.name = name
        if snap is None:
            self.count, self.holds, self.owned, self.marks = 0, False, PVec(editor), []
            # Entries a dropping GILPool has split off OWNED_OBJECTS but not yet decref'd:
            # a stack of [index into Machine.side, position] pairs.
            self.releasing = []
        else:
            self.count, self.holds, owned, marks, rel = snap
            self.owned, self.marks = PVec(editor, owned), list(marks)
            self.releasing = [list(x) for x in rel]

    def snapshot(self):
        return (self.count, self.holds, self.owned.snapshot(), tuple(self.marks),
                tuple(tuple(x) for x in self.releasing))


class Machine:
    """The live state of a run, its delta log and its checkpoints."""

    def __init__(self, snap=None, hrecs=None, thread_names=None, var_names=None, types=None,
                 side=None, hnames=None):
        self.editor = ed = Editor()
        # The delta log. Appending to an `array` parses each int through PyArg_Parse, which
        # costs several times a list append; so deltas go to a list first and are packed into
        # the array in bulk (`flush_log`). `log_base` counts the deltas already packed.
        self.log = []
        self.log_array = array("q")
        self.log_base = 0
        # The append-only tables: a replay shares the run's own (see `Trace._machine`).
        self.hrecs = _table(hrecs)  # immutable handle records (packed ints)
        self.hnames = _table(hnames)  # handle names, by index
        self._hname_index = {}
        self.thread_names = _table(thread_names)
        self.var_names = _table(var_names)
        self.types = _table(types)  # a type per object
        self.side = _table(side)  # immutable tuples the state points into
        if snap is None:
            self._start(ed)
        else:
            self._restore(ed, snap)
        self._slots = {}  # oid -> live PVec of a container's slots

    def _start(self, ed):
        """The state before a run's first step."""
        self.nobj = 0
        self.rc = PVec(ed)
        self.items = PVec(ed)  # per object: None or a (root, n) snapshot of its slots
        self.threads = []
        self.pinc, self.pdec = PVec(ed), PVec(ed)
        self.handles = {}  # hid -> index into hrecs, for handles still in scope
        self.pyvars = {}  # var index -> oid
        self.pool_init = False
        self.flight = []  # values leaving a block (`return`), not yet bound by anyone
        self.leaked = []  # references given up without a decref (leak cfg)
        # Pending operations `update_counts` has taken out of POOL and is applying: a
        # stack of (index into side, position); increfs as oid, decrefs as ~oid.
        self.draining = ()
        self.pyc = _EMPTY_PYC

    def _restore(self, ed, snap):
        """The state a `snapshot()` took, editable again (the snapshot stays as it was)."""
        (self.nobj, rc, items, threads, pinc, pdec, handles, pyvars, self.pool_init,
         flight, leaked, self.draining, self.pyc) = snap
        self.flight, self.leaked = list(flight), list(leaked)
        self.rc, self.items = PVec(ed, rc), PVec(ed, items)
        self.threads = [Thread(self.thread_names[i], ed, t) for i, t in enumerate(threads)]
        self.pinc, self.pdec = PVec(ed, pinc), PVec(ed, pdec)
        self.handles, self.pyvars = dict(handles), dict(pyvars)

    def flush_log(self):
        buf = self.log
        if buf:
            self.log_array.frombytes(struct.pack(f"{len(buf)}q", *buf))
            self.log_base += len(buf)
            del buf[:]

    def log_len(self):
        return self.log_base + len(self.log)

    # ---- snapshots -------------------------------------------------------------------
    def snapshot(self):
        snap = (self.nobj, self.rc.snapshot(), self.items.snapshot(),
                tuple(t.snapshot() for t in self.threads), self.pinc.snapshot(),
                self.pdec.snapshot(), dict(self.handles), dict(self.pyvars), self.pool_init,
                tuple(self.flight), tuple(self.leaked), self.draining, self.pyc)
        self.editor.freeze()
        return snap

    # ---- primitives: each changes one thing and logs one delta ------------------------
    def _log(self, code, a=0, b=0):
        self.log.append(encode(code, a, b))

    def new_object(self, typecode):
        oid = self.nobj
        self.nobj = oid + 1
        if len(self.types) == oid:
            self.types.append(typecode)
        self.rc.append(1)
        self.log.append(D_NEWOBJ | oid << A_SHIFT | typecode << B_SHIFT)
        return oid

    def set_rc(self, oid, rc):
        self.rc.set(oid, rc)
        self.log.append(D_RC | oid << A_SHIFT | rc << B_SHIFT)

    def add_rc(self, oid, delta):
        """`Py_INCREF` (+1) / `Py_DECREF` (-1) on the count; returns the new count. The log
        records the absolute value, so replay goes through `set_rc`."""
        if self.rc.get(oid) + delta < 0:
            return -1  # the caller reports the use after free; nothing changes
        rc = self.rc.add(oid, delta)
        self.log.append(D_RC | oid << A_SHIFT | rc << B_SHIFT)
        return rc

    def slots(self, oid):
        """A container's slots as a frozen-or-live `(root, n)` pair, or None."""
        return self.items.get(oid) if oid < self.items.n else None

    def item_count(self, oid):
        """How many slots a container has (0 for anything else)."""
        slots = self.slots(oid)
        return slots[1] if slots else 0

    def item(self, oid, i):
        """Slot i of a container (an object id); i < `item_count(oid)`."""
        return snap_get(self.slots(oid), i)

    def items_of(self, oid):
        """A container's items (object ids, first slot first); [] for anything else."""
        slots = self.slots(oid)
        return snap_list(slots) if slots else []

    def item_append(self, oid, item):
        slots = self._slots.get(oid)
        if slots is None:
            # The slot index is filled lazily: only containers need an entry.
            while self.items.n <= oid:
                self.items.append(None)
            slots = self._slots[oid] = PVec(self.editor, self.items.get(oid) or (None, 0))
        slots.append(item)
        self.items.set(oid, slots.snapshot())
        self._log(D_ITEM, oid, item)

    def item_pop(self, oid):
        """A dying container releases its last slot (CPython frees slots last to first)."""
        slots = self._slots.get(oid)
        if slots is None:
            slots = self._slots[oid] = PVec(self.editor, self.items.get(oid))
        slots.truncate(slots.n - 1)
        self.items.set(oid, slots.snapshot())
        self._log(D_ITEMS_CLEAR, oid)

    def new_thread(self, name):
        tid = len(self.threads)
        if len(self.thread_names) == tid:
            self.thread_names.append(name)
        self.threads.append(Thread(name, self.editor))
        self._log(D_THREAD, tid)
        return tid

    def pool_push(self, tid, oid):
        self.threads[tid].owned.append(oid)
        self.log.append(D_PUSH | tid << A_SHIFT | oid << B_SHIFT)

    def mark_push(self, tid, start):
        self.threads[tid].marks.append(start)
        self._log(D_MARK, tid, start)

    def mark_pop(self, tid):
        self.threads[tid].marks.pop()
        self._log(D_UNMARK, tid)

    def set_count(self, tid, count):
        self.threads[tid].count = count
        self._log(D_COUNT, tid, count + COUNT_BIAS)

    def set_holds(self, tid, holds):
        self.threads[tid].holds = holds
        self._log(D_HOLDS, tid, int(holds))

    def pend_incref(self, oid):
        self.pinc.append(oid)
        self._log(D_PINC, oid)

    def pend_decref(self, oid):
        self.pdec.append(oid)
        self._log(D_PDEC, oid)

    def _side(self, items):
        """Index of an immutable tuple in the side table. A replay finds the tuple the run
        stored (announced by a D_SIDE delta) instead of storing it again."""
        idx = self._replay_side
        if idx is None:
            self.side.append(items)
            idx = len(self.side) - 1
            self._log(D_SIDE, idx)
        self._replay_side = None
        return idx

    _replay_side = None

    def pend_take(self):
        """Take both queues out of the lock at once, as `update_counts` does; they stay
        visible as `draining` until each is applied (`drained`)."""
        if self._replay_side is not None:
            inc = dec = ()  # a replay finds the taken operations in the side table
            self.draining += ((self._side(None), 0),)
        else:
            inc, dec = _queued(self.pinc), _queued(self.pdec)
            if inc or dec:
                idx = self._side(tuple(inc) + tuple(~o for o in dec))
                self.draining += ((idx, 0),)
        self.pinc.truncate(0)
        self.pdec.truncate(0)
        self._log(D_PCLEAR)
        return inc, dec

    def drained(self):
        """One taken pending operation has been applied."""
        idx, pos = self.draining[-1]
        pos += 1
        self.draining = self.draining[:-1] + (((idx, pos),) if pos < len(self.side[idx]) else ())
        self._log(D_DRAINED)

    def pool_release(self, tid, start):
        """`Drop for GILPool`: split off the entries from `start` on; they wait in `releasing`."""
        th = self.threads[tid]
        n = th.owned.n
        if self._replay_side is not None or start >= n:
            objs = ()  # a replay finds the entries in the side table already
            if start < n:
                th.releasing.append([self._side(None), 0])
        else:
            objs = tuple(snap_list(th.owned.snapshot(), start, n))
            th.releasing.append([self._side(objs), 0])
        th.owned.truncate(start)
        self._log(D_RELEASE, tid, start)
        return objs

    def released(self, tid):
        """One split-off entry has been decref'd."""
        top = self.threads[tid].releasing[-1]
        top[1] += 1
        if top[1] == len(self.side[top[0]]):
            self.threads[tid].releasing.pop()
        self.log.append(D_RELEASED | tid << A_SHIFT)

    def released_decrefs(self, tid, objs, i, stop, may_free):
        """`released` and a refcount -1 for entries objs[i:stop] of the pool being dropped on
        thread `tid`, in bulk, up to the first whose decref would not be plain: one that would
        find its object freed already, free a container, or (unless `may_free`) free any
        object. Returns the refcounts after each decref done (an empty list: none).

        A pool of a million GIL refs is mostly such plain decrefs; this writes them a leaf of
        the refcount vector at a time, and the same deltas `released` and `add_rc` would."""
        counts = self._plain_decrefs(objs, i, stop, may_free)
        k = len(counts)
        if k:
            log = self.log
            released, rc_code = encode(D_RELEASED, tid), D_RC
            sa, sb = A_SHIFT, B_SHIFT  # locals: read once per delta, a million times
            log.extend(chain.from_iterable(zip(repeat(released, k), [
                rc_code | o << sa | v << sb for o, v in zip(objs[i:i + k], counts)])))
            top = self.threads[tid].releasing[-1]
            top[1] += k
            if top[1] == len(self.side[top[0]]):
                self.threads[tid].releasing.pop()
        return counts

    def _plain_decrefs(self, objs, i, stop, may_free):
        rcv, types = self.rc, self.types
        counts = []
        j = solo = i  # entries before `solo` go one at a time (their leaf did not qualify)
        while j < stop:
            oid = objs[j]
            leaf = rcv.read_leaf(oid)
            a = oid % LEAF
            span = min(stop - j, LEAF - a)
            if j >= solo and _consecutive(objs, j, span):
                # Consecutive objects (a loop's fresh GIL refs): the rest of this leaf at once.
                vals = self._leaf_decrefs(leaf, oid, a, span, may_free)
                if vals is not None:
                    counts += vals
                    j += span
                    continue
                solo = j + span
            v = leaf[a] - 1
            if v <= 0 and (v < 0 or types[oid] or not may_free):
                break  # not a plain one: the caller's general path does it
            rcv.write_leaf(leaf, oid)[a] = v
            counts.append(v)
            j += 1
        return counts

    def _leaf_decrefs(self, leaf, oid, a, span, may_free):
        """Refcount -1 for `span` consecutive objects from `oid` (entries a.. of one leaf), if
        every one is plain: none would go below 0, and one reaching 0 may be freed here (not a
        container). Returns the new counts, or None when nothing was written."""
        vals = [x - 1 for x in leaf[a:a + span]]
        low = min(vals)
        if low > 0 or (low == 0 and may_free and not any(self.types[oid:oid + span])):
            self.rc.write_leaf(leaf, oid)[a:a + span] = vals
            return vals
        return None

    # ---- bulk primitives: `fastforward` writes repeated loop iterations with these -------
    # Their deltas are not logged one by one: a `fastforward.Segment` computes them when
    # read, and the caller takes checkpoints so that no replay ever needs them.
    def log_computed(self, n):
        """n deltas that a segment computes follow in the log (the list buffer is empty)."""
        assert not self.log, "flush_log() first"
        self.log_base += n

    def add_records(self, hrecs, side, types):
        """Handle records, side-table entries and object types of the iterations written."""
        self.hrecs.extend(hrecs)
        self.side.extend(side)
        self.types.extend(types)

    def add_objects(self, rcs):
        """New objects with these refcounts (their types are already in `types`)."""
        self.nobj += len(rcs)
        self.rc.extend(rcs)

    def pool_extend(self, tid, oids):
        """`pool_push` of each of `oids`, in bulk."""
        self.threads[tid].owned.extend(oids)

    def static_reference_pool(self):
        """POOL exists from the start (0.20/0.21: a plain static). Called before the first
        checkpoint, so the initial snapshot carries it and no delta is needed."""
        self.pool_init = True

    def init_reference_pool(self):
        self.pool_init = True
        self._log(D_POOLINIT)

    def flight_push(self, oid):
        self.flight.append(oid)
        self._log(D_FLIGHT, oid)

    def flight_land(self):
        self.flight.pop()
        self._log(D_LAND)

    def leak(self, oid):
        self.leaked.append(oid)
        self._log(D_LEAK, oid)

    def set_handle(self, hid, rec):
        """rec = (hid, name, kind, oid|-1, tid, status, owns, borrows_hid|-1)."""
        _, name, kind, oid, tid, status, owns, borrows = rec
        ni = self._hname_index.get(name)
        if ni is None:
            ni = self._hname_index[name] = len(self.hnames)
            self.hnames.append(name)
        idx = len(self.hrecs)
        self.hrecs.append(pack_handle(hid, ni, kind, oid, tid, status, owns, borrows))
        self.handles[hid] = idx
        self.log.append(D_HSET | hid << A_SHIFT | idx << B_SHIFT)

    def set_handle_index(self, hid, idx):
        self.handles[hid] = idx
        self.log.append(D_HSET | hid << A_SHIFT | idx << B_SHIFT)

    def del_handle(self, hid):
        del self.handles[hid]
        self.log.append(D_HDEL | hid << A_SHIFT)

    def pyvar(self, name):
        """The object Python variable `name` refers to, or None (never bound, or deleted)."""
        names = self.var_names
        return self.pyvars.get(names.index(name)) if name in names else None

    def set_pyvar(self, name, oid):
        try:
            vi = self.var_names.index(name)
        except ValueError:
            vi = len(self.var_names)
            self.var_names.append(name)
        if oid is None:
            self.pyvars.pop(vi, None)
        else:
            self.pyvars[vi] = oid
        self._log(D_PYVAR, vi, 0 if oid is None else oid + 1)

    # ---- #[pyclass] instances (issue 13) -----------------------------------------------
    # `pyc` is (classes, fields, borrows, last_gc): oid -> side index of the instance's
    # (class name, field names, gc_tracked); oid -> a tuple of field values (oid or -1);
    # oid -> borrow flag (a shared count, or -1: exclusive); side index of the last
    # collection's (found, freed), or -1. Dicts, replaced (never mutated) on each change, so a
    # snapshot shares them; programs with classes are small (nothing here is written in bulk).
    def set_class(self, oid, entry):
        classes, fields, borrows, gc = self.pyc
        idx = self._side(entry)
        n = len(self.side[idx][1])
        self.pyc = ({**classes, oid: idx}, {**fields, oid: (-1,) * n}, borrows, gc)
        self._log(D_CLASS, oid, idx)

    def set_field(self, oid, index, value):
        classes, fields, borrows, gc = self.pyc
        vals = list(fields[oid])
        vals[index] = value
        self.pyc = (classes, {**fields, oid: tuple(vals)}, borrows, gc)
        self._log(D_FIELD, oid, index | (value + 1) << FIELD_BITS)

    def set_borrow(self, oid, flag):
        classes, fields, borrows, gc = self.pyc
        self.pyc = (classes, fields, {**borrows, oid: flag}, gc)
        self._log(D_BORROW, oid, flag + 1)

    def set_last_gc(self, found, freed):
        classes, fields, borrows, _ = self.pyc
        idx = self._side(None if found is None else (tuple(found), tuple(freed)))
        self.pyc = (classes, fields, borrows, idx)
        self._log(D_GC, idx)

    def class_of(self, oid):
        """(class name, field names, gc_tracked) of a pyclass instance, or None."""
        idx = self.pyc[0].get(oid)
        return None if idx is None else self.side[idx]

    # ---- replay ------------------------------------------------------------------------
    def replay(self, deltas):
        """Apply logged deltas through the primitives above (used to rebuild a state)."""
        apply = _REPLAY
        for d in deltas:
            code, a, b = decode(d)
            apply[code](self, a, b)


_EMPTY_PYC = ({}, {}, {}, -1)


def _table(shared):
    """A table the machine appends to: the one given (shared with another machine), or a new
    one. An empty list given is still shared, so no `or` here."""
    return [] if shared is None else shared


def _consecutive(objs, j, span):
    """Whether objs[j:j + span] are `span` (> 1) consecutive object ids, cheapest test first."""
    oid = objs[j]
    return span > 1 and objs[j + span - 1] == oid + span - 1 and \
        objs[j:j + span] == tuple(range(oid, oid + span))


def _queued(queue):
    """The operations waiting in one of POOL's queues, oldest first."""
    return snap_list(queue.snapshot()) if queue.n else []


def _replay_side(m, a, b):
    m._replay_side = a


def _bad_code(code):
    def fail(m, a, b):  # pragma: no cover - the log only holds codes the primitives write
        raise AssertionError(f"bad delta code {code}")
    return fail


# How each delta code is replayed: the primitive that logged it, with its operands decoded.
_REPLAY_BY_CODE = {
    D_RC: lambda m, a, b: m.set_rc(a, b),
    D_PUSH: lambda m, a, b: m.pool_push(a, b),
    D_NEWOBJ: lambda m, a, b: m.new_object(b),
    D_HSET: lambda m, a, b: m.set_handle_index(a, b),
    D_HDEL: lambda m, a, b: m.del_handle(a),
    D_COUNT: lambda m, a, b: m.set_count(a, b - COUNT_BIAS),
    D_HOLDS: lambda m, a, b: m.set_holds(a, bool(b)),
    D_MARK: lambda m, a, b: m.mark_push(a, b),
    D_UNMARK: lambda m, a, b: m.mark_pop(a),
    D_PINC: lambda m, a, b: m.pend_incref(a),
    D_PDEC: lambda m, a, b: m.pend_decref(a),
    D_SIDE: _replay_side,
    D_PCLEAR: lambda m, a, b: m.pend_take(),
    D_DRAINED: lambda m, a, b: m.drained(),
    D_RELEASE: lambda m, a, b: m.pool_release(a, b),
    D_RELEASED: lambda m, a, b: m.released(a),
    D_ITEM: lambda m, a, b: m.item_append(a, b),
    D_ITEMS_CLEAR: lambda m, a, b: m.item_pop(a),
    D_PYVAR: lambda m, a, b: m.set_pyvar(m.var_names[a], None if b == 0 else b - 1),
    D_THREAD: lambda m, a, b: m.new_thread(m.thread_names[a]),
    D_POOLINIT: lambda m, a, b: m.init_reference_pool(),
    D_FLIGHT: lambda m, a, b: m.flight_push(a),
    D_LAND: lambda m, a, b: m.flight_land(),
    D_LEAK: lambda m, a, b: m.leak(a),
    D_CLASS: lambda m, a, b: m.set_class(a, None),
    D_FIELD: lambda m, a, b: m.set_field(a, b & (1 << FIELD_BITS) - 1, (b >> FIELD_BITS) - 1),
    D_BORROW: lambda m, a, b: m.set_borrow(a, b - 1),
    D_GC: lambda m, a, b: m.set_last_gc(None, None),
}
_REPLAY = [_REPLAY_BY_CODE.get(c) or _bad_code(c) for c in range(32)]
