"""The machine state of one run and the snapshots a trace hands out.

Layout (what lives where, per the spec's section 0):

* Python objects: a type and a refcount each (`ffi::Py_REFCNT`), plus the slots of
  containers (CPython `PyListObject.ob_item`, `PyTupleObject.ob_item`).
* Per thread: PyO3's `GIL_COUNT` (0.26+: `ATTACH_COUNT`), whether the thread holds
  CPython's GIL, its `OWNED_OBJECTS` vector, and the watermarks (`GILPool.start`) of the
  pools alive on it.
* Process-global: `POOL`, the pending incref and decref queues (`ReferencePool`).
* Rust handles (variables) and Python-side variables.

**State changes in one place.** Every change goes through one of the primitive methods of
`Machine` below. Each primitive appends a *delta* to the log, and `replay` feeds logged
deltas back through the very same primitives; so a state rebuilt for step *i* is by
construction the state the run had at step *i*. Snapshots (`Snapshot`) are O(1) thanks to
`pvec.PVec` structural sharing; the run takes one every `CHECKPOINT` steps and `State`
for any step is one checkpoint plus at most `CHECKPOINT - 1` steps of deltas.
"""

from __future__ import annotations

import struct
from array import array

from .pvec import Editor, PVec, snap_list

CHECKPOINT = 256
TYPES = ("object", "list", "dict", "tuple")
KINDS = ("gil_ref", "bound", "borrowed", "bound_ref", "py", "python")
STATUSES = ("live", "moved", "dropped")

# Delta codes. A delta is packed into one int: code | a << 5 | b << 34.
(D_NEWOBJ, D_RC, D_ITEM, D_ITEMS_CLEAR, D_PUSH, _D_UNUSED, D_MARK, D_UNMARK, D_COUNT,
 D_HOLDS, D_PINC, D_PDEC, D_PCLEAR, D_HSET, D_HDEL, D_PYVAR, D_THREAD, D_POOLINIT,
 D_FLIGHT, D_LAND, D_LEAK, D_RELEASE, D_RELEASED, D_DRAINED, D_SIDE) = range(1, 26)
_A = 1 << 29
_COUNT_BIAS = 1 << 20  # GIL counts may be negative (-1 during __traverse__)


# A handle record is one int, not a tuple: a loop of a million iterations leaves a million
# records, and a million tuples would cost the cyclic collector a long pass (ints it never
# tracks). Fields, low bits first: hid, kind, status, owns, tid, oid + 1, borrowed hid + 1,
# then the index of the name in the table of handle names.
_HFIELDS = ((0, 27), (27, 3), (30, 2), (32, 1), (33, 17), (50, 26), (76, 27))
_NAME_SHIFT = 103
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
        self.hrecs = hrecs if hrecs is not None else []  # immutable handle records (packed ints)
        self.hnames = hnames if hnames is not None else []  # handle names, by index
        self._hname_index = {}
        self.thread_names = thread_names if thread_names is not None else []
        self.var_names = var_names if var_names is not None else []
        self.types = types if types is not None else []  # append-only: a type per object
        self.side = side if side is not None else []  # immutable tuples the state points into
        if snap is None:
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
        else:
            (self.nobj, rc, items, threads, pinc, pdec, handles, pyvars, self.pool_init,
             flight, leaked, self.draining) = snap
            self.flight, self.leaked = list(flight), list(leaked)
            self.rc, self.items = PVec(ed, rc), PVec(ed, items)
            self.threads = [Thread(self.thread_names[i], ed, t) for i, t in enumerate(threads)]
            self.pinc, self.pdec = PVec(ed, pinc), PVec(ed, pdec)
            self.handles, self.pyvars = dict(handles), dict(pyvars)
        self._slots = {}  # oid -> live PVec of a container's slots

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
                tuple(self.flight), tuple(self.leaked), self.draining)
        self.editor.freeze()
        return snap

    # ---- primitives: the only code that changes state ---------------------------------
    def _log(self, code, a=0, b=0):
        self.log.append(code | a << 5 | b << 34)

    def new_object(self, typecode):
        oid = self.nobj
        self.nobj = oid + 1
        if len(self.types) == oid:
            self.types.append(typecode)
        self.rc.append(1)
        self.log.append(D_NEWOBJ | oid << 5 | typecode << 34)
        return oid

    def set_rc(self, oid, rc):
        self.rc.set(oid, rc)
        self.log.append(D_RC | oid << 5 | rc << 34)

    def add_rc(self, oid, delta):
        """`Py_INCREF` (+1) / `Py_DECREF` (-1) on the count; returns the new count. The log
        records the absolute value, so replay goes through `set_rc`."""
        if self.rc.get(oid) + delta < 0:
            return -1  # the caller reports the use after free; nothing changes
        rc = self.rc.add(oid, delta)
        self.log.append(D_RC | oid << 5 | rc << 34)
        return rc

    def slots(self, oid):
        """A container's slots as a frozen-or-live `(root, n)` pair, or None."""
        return self.items.get(oid) if oid < self.items.n else None

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
        self.log.append(D_PUSH | tid << 5 | oid << 34)

    def mark_push(self, tid, start):
        self.threads[tid].marks.append(start)
        self._log(D_MARK, tid, start)

    def mark_pop(self, tid):
        self.threads[tid].marks.pop()
        self._log(D_UNMARK, tid)

    def set_count(self, tid, count):
        self.threads[tid].count = count
        self._log(D_COUNT, tid, count + _COUNT_BIAS)

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
            inc = snap_list(self.pinc.snapshot()) if self.pinc.n else []
            dec = snap_list(self.pdec.snapshot()) if self.pdec.n else []
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
        self.log.append(D_RELEASED | tid << 5)

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
        self.log.append(D_HSET | hid << 5 | idx << 34)

    def set_handle_index(self, hid, idx):
        self.handles[hid] = idx
        self.log.append(D_HSET | hid << 5 | idx << 34)

    def del_handle(self, hid):
        del self.handles[hid]
        self.log.append(D_HDEL | hid << 5)

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

    # ---- replay ------------------------------------------------------------------------
    def replay(self, deltas):
        """Apply logged deltas through the primitives above (used to rebuild a state)."""
        for d in deltas:
            code, a, b = d & 31, (d >> 5) & (_A - 1), d >> 34
            if code == D_RC:
                self.set_rc(a, b)
            elif code == D_PUSH:
                self.pool_push(a, b)
            elif code == D_NEWOBJ:
                self.new_object(b)
            elif code == D_HSET:
                self.set_handle_index(a, b)
            elif code == D_HDEL:
                self.del_handle(a)
            elif code == D_COUNT:
                self.set_count(a, b - _COUNT_BIAS)
            elif code == D_HOLDS:
                self.set_holds(a, bool(b))
            elif code == D_MARK:
                self.mark_push(a, b)
            elif code == D_UNMARK:
                self.mark_pop(a)
            elif code == D_PINC:
                self.pend_incref(a)
            elif code == D_PDEC:
                self.pend_decref(a)
            elif code == D_SIDE:
                self._replay_side = a
            elif code == D_PCLEAR:
                self.pend_take()
            elif code == D_DRAINED:
                self.drained()
            elif code == D_RELEASE:
                self.pool_release(a, b)
            elif code == D_RELEASED:
                self.released(a)
            elif code == D_ITEM:
                self.item_append(a, b)
            elif code == D_ITEMS_CLEAR:
                self.item_pop(a)
            elif code == D_PYVAR:
                self.set_pyvar(self.var_names[a], None if b == 0 else b - 1)
            elif code == D_THREAD:
                self.new_thread(self.thread_names[a])
            elif code == D_POOLINIT:
                self.init_reference_pool()
            elif code == D_FLIGHT:
                self.flight_push(a)
            elif code == D_LAND:
                self.flight_land()
            elif code == D_LEAK:
                self.leak(a)
            else:  # pragma: no cover - the log only holds codes written above
                raise AssertionError(f"bad delta code {code}")
