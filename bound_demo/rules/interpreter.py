"""Runs a parsed program against a release profile and records the steps.

The interpreter implements Rust's side: scopes and drop order (handles introduced in a body
are dropped in reverse order at its end), moves and borrows, `'py` lifetimes, `Send`, and
which thread runs what, plus the Python side of a program (`py_del`, what Python does with
a `#[pyfunction]`'s result). What PyO3 does is delegated to the concept modules: `gil`
(GIL_COUNT, with_gil/attach, allow_threads/detach, trampolines), `gilpool` (GILPool,
OWNED_OBJECTS), `reference_pool` (POOL), `instance` (Bound, Py, Borrowed, GIL refs) and
`heap` (refcounts, deallocation). Steps are recorded in the trace store
(`store.record.TraceStore`), which outlives the interpreter in the `Trace`.

Simplification: a thread block runs to completion where it stands while the enclosing
thread waits; real threads interleave. Simplification: a panic stops the program where it
happens; unwinding (which would drop handles on the way out) is not modelled.
Simplification: Rust rejects a move or drop of a value that is still borrowed at the move;
the model notices when the borrow is next used and reports it there (E0505), naming the
op that moved the value.
Simplification: a thread block can only use handles moved into it with `send`; scoped
threads (`std::thread::scope`) could also borrow a `&Py<T>` from the enclosing thread.
Simplification: a `#[pyfunction]` at the top level of a program is called by Python on the
main thread, which holds the GIL for the call; arguments are not modelled, and its body may
name the handles of the code around it, as a closure (`PyCFunction::new_closure`) would.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager

from ..concepts import brc, errors, free_threaded, gil, gilpool, instance, pycell, pyclass
from ..store import fastforward
from ..concepts.events import E
from ..store.names import SEND_KINDS, K, S, Kind, Status
from ..store.record import TraceStore
from ..store.state import Machine

# Handle kinds and statuses as the codes a handle record stores (see `store.names`).
KIND = {k.value: k.code for k in Kind}
STATUS = {s.value: s.code for s in Status}


class Handle:
    """A Rust variable and what it holds."""

    __slots__ = ("hid", "name", "kind", "oid", "tid", "status", "owns", "borrows", "token",
                 "region", "moved_at")

    def __init__(self, hid, name, kind, oid, tid, owns, borrows, token, region):
        self.hid, self.name, self.kind, self.oid, self.tid = hid, name, kind, oid, tid
        self.status, self.owns, self.borrows = S.LIVE, owns, borrows
        self.token, self.region, self.moved_at = token, region, None

    def rec(self):
        b = self.borrows
        return (self.hid, self.name, KIND[self.kind], self.oid, self.tid, STATUS[self.status],
                self.owns, -1 if b is None else b.hid)


class Token:
    """A `Python<'py>` lifetime: alive while its block runs."""

    __slots__ = ("alive", "block")

    def __init__(self, block):
        self.alive, self.block = True, block


class Frame:
    """Where execution is: thread, the innermost `'py` token (None: no GIL token), region."""

    __slots__ = ("tid", "token", "region", "block", "scopes", "outer")

    def __init__(self, tid, token, region, block):
        self.tid, self.token, self.region, self.block = tid, token, region, block
        self.scopes = []
        self.outer = None


def _drops_at_end(h):
    """Whether a handle's scope end drops something: a reference it owns, or a borrow of a
    pyclass's borrow flag (a guard or 0.20's PyRef owns no reference but holds the flag)."""
    return h.status == S.LIVE and (h.owns or h.kind in pycell.BORROW_KINDS)


@contextmanager
def _collector_paused(store):
    """The run allocates millions of small acyclic objects; the cyclic collector would rescan
    the growing heap again and again, making long runs superlinear. So it is off during a run,
    and a long run pays the postponed full collection at its end, inside `run()`, rather than
    as a pause on some later `steps[i].state`."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            if store.nsteps > 10_000:
                gc.collect()


def _hid(h):
    return h.hid


class Runner:
    def __init__(self, program, prof):
        self.program, self.prof = program, prof
        self.m = m = Machine()
        if prof.pool_from_start:
            # 0.20/0.21 and 0.30+: POOL is a plain static, there from the start (0.22–0.29
            # create it lazily; `--cfg pyo3_disable_reference_pool` removes it).
            m.static_reference_pool()
        # What the run records lives in the trace store, which the `Trace` keeps (and not
        # this interpreter). `step` is the store's, bound once: it runs for every step.
        self.store = st = TraceStore(m)
        self.step = st.step
        self.next_hid = 0
        self.inbox = {}  # thread name -> handles sent to it
        self.waiting = []  # tids blocked in thread blocks (the enclosing threads)
        self.handles = {}  # hid -> Handle, for handles in scope
        main = m.new_thread("main")
        self.cur = Frame(main, None, object(), None)
        self._api = {}
        self._ff = {}  # repeat op index -> whether `fastforward` may apply to it
        self.executed = 0  # program ops run, counting every repeat iteration
        self.notes = None  # extras of the op being run: its deprecation notes (`api_check`)
        self._result = None
        # Free-threaded builds only: thread states and biased refcounts (concepts/free_threaded.py,
        # concepts/brc.py); None on GIL builds.
        self.ft = free_threaded.ThreadStates() if prof.free_threaded else None
        self.brc = brc.Brc() if prof.free_threaded else None
        self.dispatch = {
            "with_gil": gil.acquire, "attach": gil.acquire, "allow_threads": gil.suspend,
            "detach": gil.suspend, "gil": gil.acquire, "nogil": gil.suspend, "pyfunction": gil.trampoline, "new_pool": gilpool.new_pool,
            "with_pool": gilpool.new_pool, "repeat": Runner.repeat, "thread": Runner.thread,
            "probe": Runner.probe, "send": Runner.send, "py_del": Runner.py_del,
            "gc_collect": free_threaded.gc_collect,
            "set_field": pyclass.op_set_field, "take_field": pyclass.op_take_field,
            "clear_field": pyclass.op_clear_field,
            **dict.fromkeys(pycell.OPS, pycell.op_borrow),
        }
        for name in instance.OPS:
            self.dispatch[name] = getattr(instance, "op_" + name)
        self.dispatch.update(free_threaded.OPS)
        self.dealloc_trampoline = lambda oid, op: gil.dealloc_trampoline(self, oid, op)

    # ---- running ---------------------------------------------------------------------------
    def run(self):
        """Run the program; returns the `TraceError` that stopped it, or None."""
        with _collector_paused(self.store):
            try:
                self._run_program()
            except errors.RustError as e:
                return self._stopped(e)
            finally:
                self.store.flush()
        return None

    def _run_program(self):
        free_threaded.module_init(self)  # the module's import (may enable the GIL)
        pyclass.check_types(self)  # the module creates its classes' types before any op
        self.run_body(self.program.ops)
        self.current_op = None
        self.end_scope(self.cur.scopes.pop() if self.cur.scopes else [])
        self.leftover_inbox()
        self.step(E.end, None)

    def _stopped(self, e):
        """The error step for a Rust error (compile error, panic, abort) and its `TraceError`."""
        op = self.current_op
        path = op.path if op else getattr(e, "op_path", "ops")
        error = errors.TraceError(e.kind, path, e.message, self.store.nsteps)
        self.step(E.error, op, -1, -1, {"message": e.message, "kind": e.kind})
        return error

    current_op = None

    def _resolve(self, op):
        """(handler, api error, notes) for an op, computed once per run and op."""
        err, notes = instance.api_check(self.prof, op)
        fn = None if op.kind == "return" else self.dispatch[op.kind]
        r = self._api[op.index] = (fn, err, {"notes": notes} if notes else None)
        return r

    def run_body(self, ops, scope=None):
        """Run ops in a (new) scope; returns the handle of a trailing `return`, if any."""
        if scope is None:
            scope = []
            self.cur.scopes.append(scope)
        api = self._api
        for op in ops:
            fn, err, notes = api.get(op.index) or self._resolve(op)
            self.current_op = op
            self.executed += 1
            if fn is None:
                return instance.do_return(self, op)
            if err is not None:
                raise err
            self.notes = notes
            fn(self, op)
        return None

    def end_scope(self, scope, keep=None, block=None):
        """Rust drop order: every handle of the scope still owned is dropped, last first; the
        rest leave together in one quiet `scope_end` step."""
        if block is not None:
            self.current_op = block
        quiet = []
        for h in reversed(scope):
            if h is not keep and not self._drop_at_end(h):
                quiet.append(h)
        self._forget(scope, keep)
        if quiet:
            self.step(E.scope_end, self.current_op, quiet[0].hid, len(quiet),
                      {"handles": [(h.name, h.kind, h.status) for h in quiet]}
                      if len(quiet) > 1 else None)

    def _drop_at_end(self, h):
        """Drop a handle that still owns something (or holds a borrow flag); False when it
        leaves quietly. A `Python<'py>` token leaves without a mention."""
        if _drops_at_end(h):
            instance.drop_handle(self, h, None, implicit=True)
            return True
        return h.kind == K.PYTHON

    def _forget(self, scope, keep):
        """The scope's handles (but `keep`) leave the state, in the order they were made."""
        for h in scope:
            if h is not keep and h.hid in self.handles:
                del self.handles[h.hid]
                self.m.del_handle(h.hid)

    def enter_frame(self, op, token, region=False):
        """Open a block's frame (and its `py` token) before the block's entry step, so the
        token appears in that step."""
        outer = self.cur
        tok = Token(op) if token else None
        frame = Frame(outer.tid, tok, object() if region else outer.region, op)
        frame.outer = outer
        self.cur = frame
        frame.scopes.append([])
        if tok is not None:
            self.introduce("py", K.PYTHON, -1, False, None)
        return frame

    def run_block(self, op, token, region=False, convert_result=False):
        """Run a block body in its frame (same thread); returns its result handle."""
        frame = self.cur if self.cur.block is op and self.cur.scopes else self.enter_frame(op, token, region)
        outer, tok = frame.outer, frame.token
        ret = self.run_body(op.body, frame.scopes[-1])
        if ret is not None and convert_result:
            ret = instance.to_python(self, op, ret)
        self.end_scope(frame.scopes.pop(), keep=ret, block=op)
        if tok is not None:
            tok.alive = False
        self.cur = outer
        self._result = ret
        return ret

    def finish_block(self, op):
        """After a block's exit: bind its result (`as`) or drop the temporary."""
        ret, self._result = self._result, None
        if ret is None:
            return
        self.current_op = op
        if ret.owns:
            self.m.flight_land()
        if "as" in op.d:
            h = self.introduce(op.d["as"], ret.kind, ret.oid, ret.owns, ret.borrows,
                               token=ret.token, region=ret.region)
            self.step(E.block_result, op, ret.oid, h.hid)
        else:
            h = self.introduce("_", ret.kind, ret.oid, ret.owns, ret.borrows, ret.token, ret.region)
            instance.drop_handle(self, h, op, implicit=True)
            self.handles.pop(h.hid, None)
            self.cur.scopes[-1].remove(h)
            self.m.del_handle(h.hid)

    # ---- handles -------------------------------------------------------------------------
    def introduce(self, name, kind, oid, owns, borrows, token=None, region=None):
        hid = self.next_hid
        self.next_hid = hid + 1
        cur = self.cur
        h = Handle(hid, name, kind, oid, cur.tid, owns, borrows,
                   cur.token if token is None else token, cur.region if region is None else region)
        if kind == K.PY:
            h.token = None
        cur.scopes[-1].append(h)
        self.handles[hid] = h
        self.m.set_handle(hid, (hid, name, KIND[kind], oid, h.tid, 0, owns,
                                -1 if borrows is None else borrows.hid))
        return h

    def publish(self, h):
        self.m.set_handle(h.hid, h.rec())

    def lookup(self, name, op):
        """The handle a name refers to here: the latest binding in the current thread's scopes."""
        for frame_scope in reversed(self.cur.scopes):
            for h in reversed(frame_scope):
                if h.name == name:
                    return h
        # A name bound in no scope of this frame: the newest handle of that name anywhere (a
        # closure's view of the code around it), if one is still in scope.
        best = max((h for h in self.handles.values() if h.name == name), key=_hid, default=None)
        if best is None:
            raise errors.compile_error(f"cannot find value `{name}` in this scope (it went out of "
                                       f"scope at the end of its block)", "E0425")
        return best

    # ---- ops handled here -------------------------------------------------------------------
    def repeat(self, op):
        body, scopes = op.body, self.cur.scopes
        run_body, end_scope = self.run_body, self.end_scope
        times = op.d["times"]
        if self._may_fast_forward(op, times):
            times = fastforward.run(self, op, times)
        for _ in range(times):
            scope = []
            scopes.append(scope)
            run_body(body, scope)
            end_scope(scopes.pop(), None, op)

    def _may_fast_forward(self, op, times):
        """Whether `fastforward` may write this loop's iterations in bulk (its verdict on the
        body is kept per op). Never on a free-threaded build: bulk writes would go past its
        biased reference counting."""
        if times < fastforward.MIN_TIMES or not fastforward.ENABLED or self.ft is not None:
            return False
        ok = self._ff.get(op.index)
        if ok is None:
            ok = self._ff[op.index] = fastforward.eligible(op)
        return ok

    def probe(self, op):
        self.store.labels[op.d["label"]] = self.store.nsteps
        self.step(E.probe, op)

    def thread_id(self, name):
        """The thread with that name, created on first use."""
        m = self.m
        tid = next((i for i, t in enumerate(m.threads) if t.name == name), None)
        return m.new_thread(name) if tid is None else tid

    def send(self, op):
        h = instance.use(self, op, op.d["src"])
        if h.kind not in SEND_KINDS:
            raise errors.not_send(h.name, instance.KIND_WORDS[h.kind], f"thread {op.d['to']}")
        instance.move(self, h, op)
        # The moved handle now belongs to the thread's closure: it waits there, visible in the
        # state, until the thread block runs (or the program ends).
        tid = self.thread_id(op.d["to"])
        hid = self.next_hid
        self.next_hid = hid + 1
        moved = Handle(hid, h.name, h.kind, h.oid, tid, h.owns, None, None, object())
        self.handles[hid] = moved
        self.publish(moved)
        self.inbox.setdefault(op.d["to"], []).append(moved)
        self.step(E.send, op, h.oid, hid)

    def py_del(self, op):
        name = op.d["src"]
        oid = self.m.pyvar(name)
        if oid is None:
            raise errors.RustError("exception", f"NameError: name '{name}' is not defined (it was "
                                                f"already deleted)")
        self.m.set_pyvar(name, None)
        from ..concepts import heap
        # Python code runs on this thread: on a free-threaded build, one not attached gets a
        # thread state for it (`PyGILState_Ensure`), as the witness's `del` does.
        temp = self.ft is not None and not self.m.threads[self.cur.tid].holds
        if temp:
            free_threaded.ensure(self, op)
        heap.decref(self, oid, E.py_del, op, {"name": name})
        if temp:
            free_threaded.release(self, op)

    def thread(self, op):
        name = op.d["name"]
        tid = self.thread_id(name)
        outer = self.cur
        self.waiting.append(outer.tid)
        self.cur = Frame(tid, None, object(), op)
        scope = []
        self.cur.scopes.append(scope)
        self.step(E.thread_enter, op, tid, outer.tid)
        for h in self.inbox.pop(name, []):
            h.region = self.cur.region
            scope.append(h)
        ret = self.run_body(op.body, scope)
        self.end_scope(self.cur.scopes.pop(), keep=ret, block=op)
        self.cur = outer
        self.waiting.pop()
        self.step(E.thread_exit, op, tid, outer.tid)
        self._result = ret
        self.finish_block(op)

    def leftover_inbox(self):
        """Handles sent to a thread that never ran are dropped on that thread at the end."""
        for name, hs in list(self.inbox.items()):
            saved = self.cur
            self.cur = Frame(self.thread_id(name), None, object(), None)
            self.end_scope(list(hs))
            self.cur = saved
        self.inbox.clear()

    def python_receives(self, op, result):
        """The value a `#[pyfunction]` returned reaches Python: a variable, or it is discarded."""
        if result is None:
            return
        self.m.flight_land()
        name = op.d.get("as")
        from ..concepts import heap
        if name:
            m = self.m
            old = m.pyvar(name)
            m.set_pyvar(name, result.oid)
            if old is None:
                self.step(E.pyvar_set, op, result.oid, -1, {"name": name})
            else:
                # Rebinding stores the new value and releases the old one: one step.
                heap.decref(self, old, E.py_del, op, {"name": name, "rebind": True})
        else:
            heap.decref(self, result.oid, E.pyvar_discard, op)
