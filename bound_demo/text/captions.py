"""Plain-words captions for steps, in the release's own vocabulary (GIL vs attached)."""

from __future__ import annotations

TYPE_WORDS = ("object", "list", "dict", "tuple")


def _o(i):
    return f"o{i + 1}"


def _rc(b):
    return f"refcount now {b}" if b > 0 else "refcount 0: freed"


def caption(trace, i, ev, op, a, b, x):
    prof = trace.prof
    cnt = prof.count_name
    d = op.d if op is not None else {}
    src, dst = d.get("src"), d.get("as")
    note = f" — {d['note']}" if d.get("note") and ev == op_event(op) else ""
    if ev == "scope_end" and not x.get("handles"):
        x = dict(x, rec=_rec(trace, i, a))
    text = _CAPTIONS.get(ev, lambda *_: ev)(trace, prof, cnt, op, d, src, dst, a, b, x)
    return text + note


def op_event(op):
    return op.kind if op is not None else None


def _new(t, prof, cnt, op, d, src, dst, a, b, x):
    api, typ = d["api"], d["type"]
    base = f"`{dst}` = new {typ} {_o(a)} (refcount 1)"
    if api == "gil_ref":
        return base + ": a GIL ref; the reference is registered in this thread's owned-object " \
                      "pool (OWNED_OBJECTS), which releases it when the pool drops, not when " \
                      f"`{dst}` goes out of scope"
    if api == "bound":
        return base + f": `{dst}` is a Bound and owns that reference; dropping it decrefs at once"
    return base + f": `{dst}` is a Py<T>, an owned reference not tied to the GIL"


def _clone(t, prof, cnt, op, d, src, dst, a, b, x):
    if x.get("copy"):
        return f"`{dst}` = copy of `{src}`: a plain reference/Copy handle, refcount unchanged"
    if b == -2:
        return (f"`{dst}` = `{src}`.clone() without the GIL ({cnt} = 0): the incref of {_o(a)} "
                f"is queued in the global reference pool (POOL) until a thread takes the GIL")
    return f"`{dst}` = `{src}`.clone(): {_o(a)} +1, {_rc(b)}"


def _drop(t, prof, cnt, op, d, src, dst, a, b, x, implicit=False):
    name = x.get("name", src)
    lead = f"`{name}` goes out of scope" if implicit else f"drop(`{name}`)"
    if x.get("copy"):
        return f"{lead}: a reference/Copy handle owns nothing, so nothing happens"
    if b == -2:
        return (f"{lead} without the GIL ({cnt} = 0): the decref of {_o(a)} waits in the "
                f"global reference pool (POOL) until a thread takes the GIL")
    if b == -3:
        return (f"{lead} without the GIL and without a reference pool: the reference to "
                f"{_o(a)} is leaked (pyo3_leak_on_drop_without_reference_pool)")
    return f"{lead}: {_o(a)} -1, {_rc(b)}"


def _implicit(t, prof, cnt, op, d, src, dst, a, b, x):
    return _drop(t, prof, cnt, op, d, src, dst, a, b, x, implicit=True)


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


_WHY = {"moved": "was moved out", "dropped": "was already dropped"}


def _scope_end(t, prof, cnt, op, d, src, dst, a, b, x):
    from ..store.state import KINDS, STATUSES
    hs = x.get("handles")
    if hs is None:
        rec = x.get("rec")
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
    return lambda t, prof, cnt, op, d, src, dst, a, b, x: fmt.format(
        src=src, dst=dst, o=_o(a) if a >= 0 else "?", rc=_rc(b) if b >= 0 else "", cnt=cnt,
        item=d.get("item"), idx=d.get("index"), to=d.get("to"), label=d.get("label"),
        gil=prof.gil_word)


def _get_item(t, prof, cnt, op, d, src, dst, a, b, x):
    if x.get("borrowed_cast"):
        return (f"`{dst}` = `{src}`.get_item({d['index']}): tuples lend their items, so PyO3 "
                f"casts the borrowed pointer to {_o(a)}: no incref, not registered")
    if x.get("registered"):
        return (f"`{dst}` = `{src}`.get_item({d['index']}): PyO3 takes its own reference to "
                f"{_o(a)} (+1, {_rc(b)}) and registers it in the pool")
    return f"`{dst}` = `{src}`.get_item({d['index']}): a new Bound owning {_o(a)} (+1, {_rc(b)})"


def _pool_decref(t, prof, cnt, op, d, src, dst, a, b, x):
    lead = ""
    if x.get("first"):
        lead = (f"the pool is dropped: it takes its {x['first']} entr"
                f"{'y' if x['first'] == 1 else 'ies'} off OWNED_OBJECTS, then releases them "
                f"oldest first. ")
    return lead + f"Pool releases {_o(a)}: {_rc(b)}"


def _drain(kind):
    def f(t, prof, cnt, op, d, src, dst, a, b, x):
        where = x.get("where", "update_counts")
        if prof.attach_names:  # 0.26 renamed the guards (src/internal/state.rs)
            where = where.replace("GILGuard", "AttachGuard").replace("SuspendGIL", "SuspendAttach")
        return f"POOL drained ({where}): pending {kind} of {_o(a)} applied, {_rc(b)}"
    return f


def _release_item(t, prof, cnt, op, d, src, dst, a, b, x):
    return f"freed container {_o(x['container'])} releases its slot reference to {_o(a)}: {_rc(b)}"


def _gil(kind):
    def f(t, prof, cnt, op, d, src, dst, a, b, x):
        acq = prof.acquire_name
        if kind == "ensure":
            pool = f"; a new GILPool marks OWNED_OBJECTS at {a}" if a >= 0 else ""
            took = ("attaches; no GIL, other threads stay attached" if prof.free_threaded
                    else "takes the GIL")
            return (f"{acq}: the thread {took} (PyGILState_Ensure); {cnt} 0 → {b}{pool}")
        if kind == "assumed":
            return (f"nested {acq}: {cnt} is already {a - 1}, so the guard is Assumed: "
                    f"{cnt} → {a} and POOL is drained; no new pool")
        if kind == "nested":
            return (f"nested {acq}: {cnt} is already {a}, so nothing happens — no pool, no "
                    f"count change, no drain; GIL refs made inside belong to the outer pool")
        if kind == "assumed_end":
            return f"end of nested {acq}: {cnt} → {a}"
        if kind == "nested_end":
            return f"end of nested {acq}: nothing to undo ({cnt} stays {a})"
        gone = "the thread detaches" if prof.free_threaded else "the GIL is released"
        return f"end of {acq}: {gone} (PyGILState_Release); {cnt} is {b}"
    return f


def _allow(kind):
    def f(t, prof, cnt, op, d, src, dst, a, b, x):
        name = "detach" if prof.attach_names else "allow_threads"
        if kind == "enter":
            gone = "the thread detaches" if prof.free_threaded else "the GIL is released"
            return (f"{name}: {cnt} saved ({a}) and set to 0; {gone}. Py drops and "
                    f"clones here are deferred")
        back = "the thread re-attaches" if prof.free_threaded else "GIL re-taken"
        return f"end of {name}: {cnt} restored to {a}, {back}; POOL is drained next"
    return f


def _trampoline(kind):
    def f(t, prof, cnt, op, d, src, dst, a, b, x):
        fn = d.get("name", "f")
        if kind == "enter":
            how = (f"the trampoline opens a GILPool (marks OWNED_OBJECTS at {a})" if a >= 0
                   else "the trampoline assumes the GIL (no pool)")
            return f"Python calls #[pyfunction] {fn}: {how}; {cnt} → {b}"
        return f"#[pyfunction] {fn} returns to Python; {cnt} → {b}"
    return f


def _pool(kind):
    def f(t, prof, cnt, op, d, src, dst, a, b, x):
        if kind == "new":
            c = f"; {cnt} → {b}" if prof.pool_counts_gil else ""
            return f"new GILPool: marks OWNED_OBJECTS at {a}{c}; POOL is drained"
        inside = f" (inside {x['inside']})" if x.get("inside") else ""
        c = f"; {cnt} → {b}" if prof.pool_counts_gil else ""
        return f"GILPool dropped{inside}: {a} object(s) released{c}"
    return f


def _dealloc(kind):
    def f(t, prof, cnt, op, d, src, dst, a, b, x):
        o = _o(x["freed"])
        if kind == "enter":
            return (f"freeing {o} runs PyO3's tp_dealloc trampoline, which opens a "
                    f"{'GILPool' if prof.pool_counts_gil else 'guard'} and so drains POOL")
        return f"tp_dealloc trampoline for {o} ends"
    return f


def _thread(kind):
    def f(t, prof, cnt, op, d, src, dst, a, b, x):
        names = t._tables[1]
        if kind == "enter":
            return f"thread `{names[a]}` runs while `{names[b]}` waits (holding what it holds)"
        return f"thread `{names[a]}` finishes; `{names[b]}` continues"
    return f


def _return(t, prof, cnt, op, d, src, dst, a, b, x):
    if x.get("to_python"):
        return f"the returned value becomes a Python object reference: {_o(a)} +1, {_rc(b)}"
    return f"`{src}` is returned: ownership leaves the block"


def _pyvar(t, prof, cnt, op, d, src, dst, a, b, x):
    return f"Python binds `{x['name']}` to {_o(a)} (Python now holds that reference)"


def _py_del(t, prof, cnt, op, d, src, dst, a, b, x):
    what = "rebinding" if x.get("rebind") else "del"
    return f"Python {what} `{x.get('name', src)}`: {_o(a)} -1, {_rc(b)}"


def _gc_collect(t, prof, cnt, op, d, src, dst, a, b, x):
    freed = x.get("freed") or []
    what = f"freed the unreachable cycle(s) {', '.join(freed)}" if freed else "found no unreachable cycle"
    pause = "; the world was stopped for it (no other thread was attached)" if prof.free_threaded else ""
    return f"gc.collect(): {what}{pause}"


def _brc_queue(t, prof, cnt, op, d, src, dst, a, b, x):
    return (f"{_o(a)} -1 from a thread that does not own it, while its shared count is 0: "
            f"CPython queues it for its owner `{x['owner']}` to merge (biased reference counting); "
            f"the queue holds that reference, so the count stays {b} and {_o(a)} stays alive")


def _brc_merge(t, prof, cnt, op, d, src, dst, a, b, x):
    why = {"thread_state_deleted": "its thread state is deleted",
           "collection": "a collection merges every queue"}.get(x.get("why"), x.get("why", ""))
    return f"owner `{x['owner']}` merges queued {_o(a)} ({why}): the queue's reference goes, {_rc(b)}"


def _error(t, prof, cnt, op, d, src, dst, a, b, x):
    # Every message already starts with what happened ("error[E0382]:", "panicked:", ...).
    return x.get("message", x.get("kind", "error"))


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
    "to_owned": lambda t, prof, cnt, op, d, src, dst, a, b, x: (
        f"`{dst}` = `{src}`.to_owned(): copies the reference (no change)" if x.get("copy")
        else f"`{dst}` = `{src}`.to_owned(): a new Bound, {_o(a)} +1, {_rc(b)}"),
    "into_gil_ref": _simple("`{dst}` = `{src}`.into_gil_ref(): the Bound's reference is handed to the pool (registered; released when the pool drops)"),
    "as_gil_ref": _simple("`{dst}` = `{src}`.as_gil_ref(): a GIL ref borrowed from `{src}` (not registered, no change)"),
    "into_py": lambda t, prof, cnt, op, d, src, dst, a, b, x: (
        f"`{dst}` = `{src}`.into_py(py): " + (
            f"a new Py<PyAny> with its own reference: {_o(a)} +1, {_rc(b)}" if b >= 0
            else "the reference moves into a Py<PyAny> (no refcount change)")),
    "into_ref": _simple("`{dst}` = `{src}`.into_ref(py): the Py's reference moves into the pool (registered)"),
    "as_ref": _simple("`{dst}` = `{src}`.as_ref(py): a GIL ref borrowed from `{src}` (not registered)"),
    "append": _simple("`{src}`.append(&{item}): the list takes its own reference to {o}: {rc}"),
    "get_borrowed_item": _simple("`{dst}` = `{src}`.get_borrowed_item({idx}): a Borrowed view of {o}, no refcount change"),
    "send": _simple("`{src}` is moved into thread `{to}`'s closure"),
    "probe": _simple("probe `{label}`"),
    "pyvar_discard": _simple("Python discards the returned value: {o} -1, {rc}"),
    "block_result": _simple("the block's result is bound to `{dst}`"),
    "end": lambda *_: "end of program",
    "gc_collect": _gc_collect, "brc_queue": _brc_queue, "brc_merge": _brc_merge,
    "gc_free": lambda t, prof, cnt, op, d, src, dst, a, b, x: (
        f"the collector clears garbage container {_o(x['container'])}: {_o(a)} -1, {_rc(b)}"),
    "stop_the_world": lambda *_: ("stop-the-world: this thread's first thread state pauses every "
                                  "thread (CPython 3.13t immortalizes deferred-refcount objects "
                                  "once); no other thread is attached, so it completes"),
}
