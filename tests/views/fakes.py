"""Small stand-ins for the model's Trace, Step and State, shaped exactly like
docs/design/state-api.md, so the views can be tested without running the model.

The views only read attributes, so plain dataclasses are enough. ``build_trace``
turns a compact list of step dictionaries into a full ``FakeTrace``; every step
is a complete snapshot, as the real trace promises.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass
class ObjectState:
    id: str
    type: str = "object"
    refcount: int = 1
    alive: bool = True
    items: list = field(default_factory=list)


@dataclass
class ThreadState:
    name: str
    gil_count: int = 0
    holds_gil: bool = False
    owned: list = field(default_factory=list)
    pool_marks: list = field(default_factory=list)


@dataclass
class HandleState:
    name: str
    kind: str
    obj: Optional[str]
    thread: str = "main"
    status: str = "live"
    owns: bool = True
    borrows: Optional[str] = None


@dataclass
class State:
    objects: dict = field(default_factory=dict)
    threads: dict = field(default_factory=dict)
    pending_increfs: list = field(default_factory=list)
    pending_decrefs: list = field(default_factory=list)
    handles: dict = field(default_factory=dict)
    py_vars: dict = field(default_factory=dict)
    reference_pool_initialised: bool = True


@dataclass
class Step:
    index: int
    caption: str
    op_path: str
    line: Optional[int]
    rust: str
    event: str
    state: State
    notes: list = field(default_factory=list)
    touched: dict = field(default_factory=lambda: {
        "objects": [], "threads": [], "handles": [], "pending": False})


@dataclass
class TraceError:
    kind: str
    op_path: str
    message: str
    step: int


@dataclass
class FakeTrace:
    steps: list
    pyo3: str = "0.20"
    features: tuple = ()
    cfg: tuple = ()
    program: dict = field(default_factory=dict)
    rust: Optional[str] = None
    title: Optional[str] = None
    error: Optional[TraceError] = None

    @property
    def final(self):
        return self.steps[-1].state


def state(objects=(), threads=None, handles=(), increfs=(), decrefs=(), py_vars=None,
          pool_ready=True):
    """Build a State from short tuples: objects as ObjectState, handles as HandleState."""
    threads = threads or [ThreadState("main")]
    return State(
        objects={o.id: o for o in objects},
        threads={t.name: t for t in threads},
        pending_increfs=list(increfs),
        pending_decrefs=list(decrefs),
        handles={h.name: h for h in handles},
        py_vars=dict(py_vars or {}),
        reference_pool_initialised=pool_ready,
    )


def build_trace(rows, **trace_kwargs):
    """rows: list of (caption, op_path, line, event, State, touched-dict-or-None)."""
    steps = []
    for index, (caption, op_path, line, event, st, touched) in enumerate(rows):
        t = {"objects": [], "threads": [], "handles": [], "pending": False}
        t.update(touched or {})
        steps.append(Step(index, caption, op_path, line, f"// {op_path}", event, st, touched=t))
    return FakeTrace(steps=steps, **trace_kwargs)


RUST = """Python::with_gil(|py| {
    let a = PyCell::new(py, Obj {})?;
    // probe x
});"""


def gil_ref_trace():
    """What the brief's example program should look like on PyO3 0.20."""
    main = lambda **kw: ThreadState("main", **kw)  # noqa: E731
    o1 = lambda **kw: ObjectState("o1", **kw)  # noqa: E731
    rows = [
        ("with_gil: acquire the GIL and open a GILPool", "ops[0]", 1, "gil_acquire",
         state(threads=[main(gil_count=1, holds_gil=True, pool_marks=[0])]),
         {"threads": ["main"]}),
        ("new object, registered in the pool", "ops[0].body[0]", 2, "new",
         state(objects=[o1()], threads=[main(gil_count=1, holds_gil=True, owned=["o1"], pool_marks=[0])],
               handles=[HandleState("a", "gil_ref", "o1", owns=False)]),
         {"objects": ["o1"], "threads": ["main"], "handles": ["a"]}),
        ("probe x", "ops[0].body[1]", 3, "probe",
         state(objects=[o1()], threads=[main(gil_count=1, holds_gil=True, owned=["o1"], pool_marks=[0])],
               handles=[HandleState("a", "gil_ref", "o1", owns=False)]),
         None),
        ("the pool drops: decref o1, which is freed", "ops[0]", 4, "pool_decref",
         state(objects=[o1(refcount=0, alive=False)], threads=[main(gil_count=0, holds_gil=True)]),
         {"objects": ["o1"], "threads": ["main"]}),
        ("release the GIL", "ops[0]", 4, "gil_release",
         state(objects=[o1(refcount=0, alive=False)], threads=[main()]),
         {"threads": ["main"]}),
    ]
    return build_trace(rows, pyo3="0.20", rust=RUST, title="A GIL ref in a pool")


def busy_trace():
    """Every kind of thing at once: two threads, containers, queues, python vars."""
    objs = [ObjectState("o1", "list", 2, items=["o2"]), ObjectState("o2", "object", 3),
            ObjectState("o3", "dict", 1), ObjectState("o4", "object", 0, alive=False)]
    threads = [ThreadState("main", 1, True, ["o1", "o2"], [0, 1]),
               ThreadState("worker", 0, False)]
    handles = [HandleState("lst", "bound", "o1"), HandleState("b", "bound_ref", "o1", owns=False, borrows="lst"),
               HandleState("p", "py", "o2", thread="worker"), HandleState("g", "gil_ref", "o2", owns=False),
               HandleState("gone", "bound", "o3", status="moved"), HandleState("py", "python", None)]
    st = state(objects=objs, threads=threads, handles=handles, increfs=["o2"], decrefs=["o3"],
               py_vars={"x": "o3"})
    rows = [("everything", "ops[0]", None, "probe", st,
             {"objects": ["o2"], "threads": ["worker"], "handles": ["p"], "pending": True})]
    return build_trace(rows, pyo3="0.21", features=("gil-refs",))


def hostile_trace():
    """Names that must be shown as text, never interpreted."""
    handles = [HandleState("<script>", "bound", "o1"), HandleState('a"b', "bound", "o1"),
               HandleState("x&y", "py", "o1"), HandleState("back\\slash", "bound", "o1")]
    st = state(objects=[ObjectState("o1", refcount=4)], handles=handles,
               py_vars={"<b>v</b>": "o1"},
               threads=[ThreadState("main", 1, True), ThreadState("<t&1>", 0, False)])
    rows = [("caption with <tags> & \"quotes\"", "ops[0]", None, "new", st, None)]
    return build_trace(rows, pyo3="0.21")


def long_trace(n=100, pool_cap=None):
    """A synthetic n-step trace whose pool grows and shrinks (for size and speed checks)."""
    rows = []
    owned = []
    objects = []
    for i in range(n):
        oid = f"o{i + 1}"
        if i % 10 < 6:
            objects.append(ObjectState(oid, "object", 1))
            owned.append(oid)
            caption, event, touched = f"new {oid}", "new", {"objects": [oid]}
        else:
            gone = owned.pop(0) if owned else None
            objects = [ObjectState(o.id, o.type, 0, False) if o.id == gone else o for o in objects]
            caption, event, touched = f"decref {gone}", "pool_decref", {"objects": [gone] if gone else []}
        objects = [ObjectState(o.id, o.type, o.refcount, o.alive) for o in objects]
        st = state(objects=objects, threads=[ThreadState("main", 1, True, list(owned), [0])],
                   handles=[HandleState(f"h{i % 7}", "gil_ref", owned[-1] if owned else None, owns=False)])
        rows.append((caption, f"ops[{i}]", None, event, st, touched))
    return build_trace(rows, pyo3="0.20")
