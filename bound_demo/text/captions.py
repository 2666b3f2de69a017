"""Plain-words captions for steps, in the release's own vocabulary (GIL vs attached)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..store.names import S


def _o(i):
    return f"o{i + 1}"


def _rc(b):
    return f"refcount now {b}" if b > 0 else "refcount 0: freed"


@dataclass(frozen=True)
class StepView:
    """What a caption reads of one step: the trace and step index, the event name, the op
    (None for steps outside the program, such as its end), the step's two numbers `a` and
    `b` (their meaning depends on the event; -1 when unused), its extras `x`, and what
    follows from those: the profile, the name of the GIL counter, the op's fields `d` and
    its `src` and `as` (`dst`) names."""

    trace: object
    i: int
    ev: str
    op: object
    a: int = -1
    b: int = -1
    x: dict = field(default_factory=dict)

    @property
    def prof(self):
        return self.trace.prof

    @property
    def no_gil(self):
        """True on a free-threaded build whose GIL stayed off. A module that does not declare
        `gil_used = false` turns the GIL on when it is imported, which is the trace's first step
        (rules/interpreter.py runs `module_init` before any op); from then on attaching takes the
        GIL again, so the captions speak of the GIL as on a GIL build."""
        return self.prof.free_threaded and not _gil_turned_on(self.trace)

    @property
    def cnt(self):
        return self.prof.count_name

    @property
    def d(self):
        return self.op.d if self.op is not None else {}

    @property
    def src(self):
        return self.d.get("src")

    @property
    def dst(self):
        return self.d.get("as")


def _gil_turned_on(trace):
    return trace._nsteps() > 0 and trace._event(0) == "gil_enabled"


def caption(trace, i, ev, op, a, b, x):
    v = StepView(trace, i, ev, op, a, b, x)
    d = v.d
    note = f" — {d['note']}" if d.get("note") and ev == op_event(op) else ""
    if ev == "scope_end" and not x.get("handles"):
        v = StepView(trace, i, ev, op, a, b, dict(x, rec=_rec(trace, i, a)))
    text = _CAPTIONS.get(ev, lambda _: ev)(v)
    return text + note


def op_event(op):
    return op.kind if op is not None else None


def _new(v):
    api, typ = v.d["api"], v.d["type"]
    base = f"`{v.dst}` = new {typ} {_o(v.a)} (refcount 1)"
    if api == "gil_ref":
        return base + ": a GIL ref; the reference is registered in this thread's owned-object " \
                      "pool (OWNED_OBJECTS), which releases it when the pool drops, not when " \
                      f"`{v.dst}` goes out of scope"
    if api == "bound":
        return base + f": `{v.dst}` is a Bound and owns that reference; dropping it decrefs at once"
    return base + f": `{v.dst}` is a Py<T>, an owned reference not tied to the GIL"


def _clone(v):
    if v.x.get("copy"):
        return f"`{v.dst}` = copy of `{v.src}`: a plain reference/Copy handle, refcount unchanged"
    if v.b == -2:
        return (f"`{v.dst}` = `{v.src}`.clone() without the GIL ({v.cnt} = 0): the incref of {_o(v.a)} "
                f"is queued in the global reference pool (POOL) until a thread takes the GIL")
    return f"`{v.dst}` = `{v.src}`.clone(): {_o(v.a)} +1, {_rc(v.b)}"


def _drop(v, implicit=False):
    name = v.x.get("name", v.src)
    lead = f"`{name}` goes out of scope" if implicit else f"drop(`{name}`)"
    if v.x.get("copy"):
        return f"{lead}: a reference/Copy handle owns nothing, so nothing happens"
    if v.b == -2:
        flag = " and sets its dirty flag" if v.prof.dirty_flag else ""
        return (f"{lead} without the GIL ({v.cnt} = 0): the decref of {_o(v.a)} waits in the "
                f"global reference pool (POOL){flag} until a thread takes the GIL")
    if v.b == -3:
        return (f"{lead} without the GIL and without a reference pool: the reference to "
                f"{_o(v.a)} is leaked (pyo3_leak_on_drop_without_reference_pool)")
    return f"{lead}: {_o(v.a)} -1, {_rc(v.b)}"


def _implicit(v):
    return _drop(v, implicit=True)


def _rec(t, i, hid):
    """The record of handle `hid` as it went out of scope at step i, as (hid, name, kind, oid,
    tid, status, owns, borrows). Its removal is among step i's deltas, so the state after
    step i-1 still lists it; in a long trace that is far cheaper than scanning every record."""
    from ..store.state import latest_record, unpack_handle
    hrecs = t._tables[2]
    rec = None
    if len(hrecs) > 4096 and i > 0:
        idx = t.state_at(i - 1)._snap[6].get(hid)
        rec = hrecs[idx] if idx is not None else None
    if rec is None:
        rec = latest_record(hrecs, hid)
    if rec is None:
        return None
    hid, ni, *rest = unpack_handle(rec)
    return (hid, t._tables[5][ni], *rest)


_WHY = {S.MOVED: "was moved out", S.DROPPED: "was already dropped"}


def _scope_end(v):
    from ..store.state import KINDS, STATUSES
    hs = v.x.get("handles")
    if hs is None:
        rec = v.x.get("rec")
        hs = [(rec[1], KINDS[rec[2]], STATUSES[rec[5]])] if rec else []
    parts = []
    for name, kind, status in hs:
        if status in _WHY:
            parts.append(f"`{name}` {_WHY[status]}")
        elif kind == "gil_ref":
            parts.append(f"`{name}` is a GIL ref: a plain reference, its object stays in the pool")
        else:
            parts.append(f"`{name}` borrows and owns nothing")
    who = ", ".join(f"`{h[0]}`" for h in hs)
    verb = "goes" if len(hs) == 1 else "go"
    return f"{who} {verb} out of scope, releasing nothing: " + "; ".join(parts)


def _simple(fmt):
    return lambda v: fmt.format(
        src=v.src, dst=v.dst, o=_o(v.a) if v.a >= 0 else "?", rc=_rc(v.b) if v.b >= 0 else "", cnt=v.cnt,
        item=v.d.get("item"), idx=v.d.get("index"), to=v.d.get("to"), label=v.d.get("label"),
        gil=v.prof.gil_word)


def _get_item(v):
    if v.x.get("borrowed_cast"):
        return (f"`{v.dst}` = `{v.src}`.get_item({v.d['index']}): tuples lend their items, so PyO3 "
                f"casts the borrowed pointer to {_o(v.a)}: no incref, not registered")
    if v.x.get("registered"):
        return (f"`{v.dst}` = `{v.src}`.get_item({v.d['index']}): PyO3 takes its own reference to "
                f"{_o(v.a)} (+1, {_rc(v.b)}) and registers it in the pool")
    return f"`{v.dst}` = `{v.src}`.get_item({v.d['index']}): a new Bound owning {_o(v.a)} (+1, {_rc(v.b)})"


def _pool_decref(v):
    lead = ""
    if v.x.get("first"):
        lead = (f"the pool is dropped: it takes its {v.x['first']} entr"
                f"{'y' if v.x['first'] == 1 else 'ies'} off OWNED_OBJECTS, then releases them "
                f"oldest first. ")
    return lead + f"Pool releases {_o(v.a)}: {_rc(v.b)}"


def _drain(kind):
    def f(v):
        where = v.x.get("where", "update_counts")
        if v.prof.attach_names:  # 0.26 renamed the guards (src/internal/state.rs)
            where = where.replace("GILGuard", "AttachGuard").replace("SuspendGIL", "SuspendAttach")
        if v.prof.dirty_flag:  # 0.30 (#6200): only the thread that clears the flag drains
            where += ", whose compare_exchange cleared the dirty flag"
        return f"POOL drained ({where}): pending {kind} of {_o(v.a)} applied, {_rc(v.b)}"
    return f


def _release_item(v):
    return f"freed container {_o(v.x['container'])} releases its slot reference to {_o(v.a)}: {_rc(v.b)}"


def _gil(kind):
    def f(v):
        acq = v.prof.acquire_name
        if kind == "ensure":
            pool = f"; a new GILPool marks OWNED_OBJECTS at {v.a}" if v.a >= 0 else ""
            took = ("attaches; no GIL, other threads stay attached" if v.no_gil
                    else "takes the GIL")
            return (f"{acq}: the thread {took} (PyGILState_Ensure); {v.cnt} 0 → {v.b}{pool}")
        if kind == "assumed":
            return (f"nested {acq}: {v.cnt} is already {v.a - 1}, so the guard is Assumed: "
                    f"{v.cnt} → {v.a} and POOL is drained; no new pool")
        if kind == "nested":
            return (f"nested {acq}: {v.cnt} is already {v.a}, so nothing happens — no pool, no "
                    f"count change, no drain; GIL refs made inside belong to the outer pool")
        if kind == "assumed_end":
            return f"end of nested {acq}: {v.cnt} → {v.a}"
        if kind == "nested_end":
            return f"end of nested {acq}: nothing to undo ({v.cnt} stays {v.a})"
        gone = "the thread detaches" if v.no_gil else "the GIL is released"
        return f"end of {acq}: {gone} (PyGILState_Release); {v.cnt} is {v.b}"
    return f


def _allow(kind):
    def f(v):
        name = "detach" if v.prof.attach_names else "allow_threads"
        if kind == "enter":
            gone = "the thread detaches" if v.no_gil else "the GIL is released"
            return (f"{name}: {v.cnt} saved ({v.a}) and set to 0; {gone}. Py drops and "
                    f"clones here are deferred")
        back = "the thread re-attaches" if v.no_gil else "GIL re-taken"
        return f"end of {name}: {v.cnt} restored to {v.a}, {back}; POOL is drained next"
    return f


def _trampoline(kind):
    def f(v):
        fn = v.d.get("name", "f")
        if kind == "enter":
            how = (f"the trampoline opens a GILPool (marks OWNED_OBJECTS at {v.a})" if v.a >= 0
                   else "the trampoline assumes the GIL (no pool)")
            return f"Python calls #[pyfunction] {fn}: {how}; {v.cnt} → {v.b}"
        return f"#[pyfunction] {fn} returns to Python; {v.cnt} → {v.b}"
    return f


def _pool(kind):
    def f(v):
        if kind == "new":
            c = f"; {v.cnt} → {v.b}" if v.prof.pool_counts_gil else ""
            return f"new GILPool: marks OWNED_OBJECTS at {v.a}{c}; POOL is drained"
        inside = f" (inside {v.x['inside']})" if v.x.get("inside") else ""
        c = f"; {v.cnt} → {v.b}" if v.prof.pool_counts_gil else ""
        return f"GILPool dropped{inside}: {v.a} object(s) released{c}"
    return f


def _dealloc(kind):
    def f(v):
        o = _o(v.x["freed"])
        if kind == "enter":
            return (f"freeing {o} runs PyO3's tp_dealloc trampoline, which opens a "
                    f"{'GILPool' if v.prof.pool_counts_gil else 'guard'} and so drains POOL")
        return f"tp_dealloc trampoline for {o} ends"
    return f


def _thread(kind):
    def f(v):
        names = v.trace._tables[1]
        if kind == "enter":
            return f"thread `{names[v.a]}` runs while `{names[v.b]}` waits (holding what it holds)"
        return f"thread `{names[v.a]}` finishes; `{names[v.b]}` continues"
    return f


def _return(v):
    if v.x.get("to_python"):
        return f"the returned value becomes a Python object reference: {_o(v.a)} +1, {_rc(v.b)}"
    return f"`{v.src}` is returned: ownership leaves the block"


def _pyvar(v):
    return f"Python binds `{v.x['name']}` to {_o(v.a)} (Python now holds that reference)"


def _py_del(v):
    what = "rebinding" if v.x.get("rebind") else "del"
    return f"Python {what} `{v.x.get('name', v.src)}`: {_o(v.a)} -1, {_rc(v.b)}"


def _gc_collect(v):
    if "found" in v.x:
        return _gc_collect_classes(v)
    freed = v.x.get("freed") or []
    what = f"freed the unreachable cycle(s) {', '.join(freed)}" if freed else "found no unreachable cycle"
    pause = "; the world was stopped for it (no other thread was attached)" if v.prof.free_threaded else ""
    return f"gc.collect(): {what}{pause}"


def _brc_queue(v):
    return (f"{_o(v.a)} -1 from a thread that does not own it, while its shared count is 0: "
            f"CPython queues it for its owner `{v.x['owner']}` to merge (biased reference counting); "
            f"the queue holds that reference, so the count stays {v.b} and {_o(v.a)} stays alive")


def _brc_merge(v):
    why = {"thread_state_deleted": "its thread state is deleted",
           "collection": "a collection merges every queue"}.get(v.x.get("why"), v.x.get("why", ""))
    return f"owner `{v.x['owner']}` merges queued {_o(v.a)} ({why}): the queue's reference goes, {_rc(v.b)}"


# ---- #[pyclass] fields, borrows and the collector (issue 13) -------------------------------
def _set_field(v):
    if v.x.get("subclass"):
        return (f"`{v.dst or v.src}` is an instance of a Python subclass `Sub` of the pyclass, and "
                f"`Sub.me` holds it (then `del Sub`): {_o(v.a)} +1, {_rc(v.b)}; the instance "
                "holds its type in turn")
    return (f"`{v.src}`.{v.x['field']} = Some(`{v.d.get('value')}`): the field holds its own "
            f"reference to {_o(v.a)}, {_rc(v.b)}")


def _clear_field(v):
    field = v.x.get("field", "?")
    if v.a < 0:
        return f"`{v.src}`.{field} = None: it was already empty, nothing changes"
    if v.x.get("freed") is not None:
        return f"freed {_o(v.x['freed'])} drops its field {field}: {_o(v.a)} -1, {_rc(v.b)}"
    why = "the old value is dropped" if v.x.get("replaced") else f"`{v.src}`.{field} = None"
    return f"{why}: {_o(v.a)} -1, {_rc(v.b)}"


def _take_field(v):
    return (f"`{v.dst}` = `{v.src}`.{v.x['field']}.take(): the Py<T> moves out of the field "
            f"into `{v.dst}` (no refcount change); the edge to {_o(v.a)} is gone")


def _borrow(v):
    flag = v.x.get("flag")
    held = "held exclusively" if flag == "exclusive" else f"shared count {flag}"
    if v.b >= 0:
        return (f"`{v.dst}` = `{v.src}`.{v.op.kind}(): a PyRef owns a cloned Bound: {_o(v.a)} "
                f"+1, {_rc(v.b)}; borrow flag {held}")
    what = "a guard holds a borrowed pointer" if "guard" in v.op.kind else \
        "a PyRef borrowing the GIL ref"
    return f"`{v.dst}` = `{v.src}`.{v.op.kind}(): {what} (no refcount change); borrow flag {held}"


def _borrow_release(v):
    rc = f": {_o(v.a)} -1, {_rc(v.b)}" if v.b >= 0 else " (no refcount change)"
    return f"`{v.x.get('name')}` is dropped: its borrow of {_o(v.a)} ends{rc}"


def _gc_found(v):
    found = v.x.get("found") or []
    if not found:
        return "gc.collect(): every tracked object is reachable (or its edges are invisible): nothing found"
    return f"gc.collect() finds {len(found)} unreachable: {', '.join(found)}"


def _gc_free(v):
    if v.x.get("subclass"):
        return (f"the collector clears the subclass type of {_o(v.a)}: its dict drops `me`: "
                f"{_o(v.a)} -1, {_rc(v.b)}")
    if "field" in v.x:
        return (f"__clear__ of {_o(v.x['container'])} sets {v.x['field']} to None: {_o(v.a)} -1, "
                f"{_rc(v.b)}")
    return f"the collector clears garbage container {_o(v.x['container'])}: {_o(v.a)} -1, {_rc(v.b)}"


def _gc_collect_classes(v):
    found, freed = v.x["found"], v.x["freed"]
    kept = [o for o in found if o not in freed]
    text = f"gc.collect() returns {len(found)}"
    if freed:
        text += f": freed {', '.join(freed)}"
    if kept:
        text += (f"; {', '.join(kept)} found but not freed (no __clear__ on the cycle): found "
                 "again by every collection")
    return text


def _error(v):
    # Every message already starts with what happened ("error[E0382]:", "panicked:", ...).
    return v.x.get("message", v.x.get("kind", "error"))


_CAPTIONS = {
    "new": _new, "clone": _clone, "drop": _drop, "implicit_drop": _implicit,
    "scope_end": _scope_end, "get_item": _get_item, "pool_decref": _pool_decref,
    "drain_incref": _drain("incref"), "drain_decref": _drain("decref"),
    "release_item": _release_item,
    "gil_ensure": _gil("ensure"), "gil_assumed": _gil("assumed"), "gil_nested": _gil("nested"),
    "gil_assumed_end": _gil("assumed_end"), "gil_nested_end": _gil("nested_end"),
    "gil_release": _gil("release"), "allow_enter": _allow("enter"), "allow_exit": _allow("exit"),
    "trampoline_enter": _trampoline("enter"), "trampoline_exit": _trampoline("exit"),
    "pool_new": _pool("new"), "pool_drop": _pool("drop"),
    "dealloc_enter": _dealloc("enter"), "dealloc_exit": _dealloc("exit"),
    "thread_enter": _thread("enter"), "thread_exit": _thread("exit"),
    "return": _return, "pyvar_set": _pyvar, "py_del": _py_del, "error": _error,
    "clone_ref": _simple("`{dst}` = `{src}`.clone_ref(py): {o} +1, {rc}"),
    "drop_ref": _simple("`{src}`.drop_ref(py): {o} -1 at once, {rc}"),
    "unbind": _simple("`{dst}` = `{src}`.unbind(): the Bound's reference moves into a Py (no refcount change)"),
    "into_bound": _simple("`{dst}` = `{src}`.into_bound(py): the Py's reference moves into a Bound (no change)"),
    "bind": _simple("`{dst}` = `{src}`.bind(py): a &Bound borrowing `{src}` (no refcount change)"),
    "bind_borrowed": _simple("`{dst}` = `{src}`.bind_borrowed(py): a Borrowed view of {o} (no refcount change)"),
    "as_borrowed": _simple("`{dst}` = `{src}`.as_borrowed(): a Borrowed view of {o} (no refcount change)"),
    "to_owned": lambda v: (
        f"`{v.dst}` = `{v.src}`.to_owned(): copies the reference (no change)" if v.x.get("copy")
        else f"`{v.dst}` = `{v.src}`.to_owned(): a new Bound, {_o(v.a)} +1, {_rc(v.b)}"),
    "into_gil_ref": _simple("`{dst}` = `{src}`.into_gil_ref(): the Bound's reference is handed to the pool (registered; released when the pool drops)"),
    "as_gil_ref": _simple("`{dst}` = `{src}`.as_gil_ref(): a GIL ref borrowed from `{src}` (not registered, no change)"),
    "into_py": lambda v: (
        f"`{v.dst}` = `{v.src}`.into_py(py): " + (
            f"a new Py<PyAny> with its own reference: {_o(v.a)} +1, {_rc(v.b)}" if v.b >= 0
            else "the reference moves into a Py<PyAny> (no refcount change)")),
    "into_ref": _simple("`{dst}` = `{src}`.into_ref(py): the Py's reference moves into the pool (registered)"),
    "as_ref": _simple("`{dst}` = `{src}`.as_ref(py): a GIL ref borrowed from `{src}` (not registered)"),
    "append": _simple("`{src}`.append(&{item}): the list takes its own reference to {o}: {rc}"),
    "get_borrowed_item": _simple("`{dst}` = `{src}`.get_borrowed_item({idx}): a Borrowed view of {o}, no refcount change"),
    "send": _simple("`{src}` is moved into thread `{to}`'s closure"),
    "probe": _simple("probe `{label}`"),
    "pyvar_discard": _simple("Python discards the returned value: {o} -1, {rc}"),
    "block_result": _simple("the block's result is bound to `{dst}`"),
    "end": lambda v: "end of program",
    "gc_collect": _gc_collect, "brc_queue": _brc_queue, "brc_merge": _brc_merge,
    "gil_enabled": lambda v: (
        f"importing the module: RuntimeWarning, the GIL has been enabled (the module does not "
        f"declare `gil_used = false`); Python {v.x['python']} now runs with a GIL, so attaching "
        f"excludes other threads again"),
    "gil_protected": _simple("`GILPROTECTED.get(py)`: the GIL guards the static's value (no refcount change)"),
    "gc_free": _gc_free, "set_field": _set_field, "clear_field": _clear_field,
    "take_field": _take_field, "borrow": _borrow, "borrow_release": _borrow_release,
    "gc_found": _gc_found,
    "gc_clear": lambda v: f"the collector calls tp_clear of {_o(v.a)} (unreachable)",
    "traverse_panic": lambda v: (f"__traverse__ of {_o(v.a)} attaches and panics; PyO3 catches "
                                 "the panic and the collector sees none of its edges"),
    "stop_the_world": lambda v: ("stop-the-world: this thread's first thread state pauses every "
                                 "thread (CPython 3.13t immortalizes deferred-refcount objects "
                                 "once); no other thread is attached, so it completes"),
}
