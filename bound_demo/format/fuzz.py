"""Random *valid* programs, for property tests and the model-vs-witness differential tests.

`generate(choose, prof)` builds a program that Rust would accept and that neither panics,
aborts, deadlocks nor reaches undefined behaviour under that release profile: it keeps a
small symbolic picture of the handles in scope (kind, owner, borrowers, container length)
and only picks ops that are legal for them. `choose(lo, hi)` returns an int in [lo, hi]:
`random.Random.randint` for plain use, a hypothesis draw for shrinking
(`programs(prof)` is the hypothesis strategy).

The order of draws is the generator's contract (same seed, same program): the stateful test,
the witness differentials and reported failures name programs by seed. Keep it when editing;
the op tables below fix which choice draws what.
"""

from __future__ import annotations

from typing import NamedTuple

from .program import BORROW_OPS, FORMAT


class _H:
    __slots__ = ("name", "kind", "typ", "length", "borrowers", "borrows", "live", "depth", "obj")

    def __init__(self, name, kind, typ, length=0, borrows=None, depth=0):
        self.name, self.kind, self.typ, self.length = name, kind, typ, length
        self.borrowers, self.borrows, self.live, self.depth = 0, borrows, True, depth
        self.obj = None  # a declared pyclass instance: its `_Obj` (shared by every alias)

    def usable_at(self, depth):
        """Live, made in this region if it is GIL-bound (a handle from another region is out
        of reach there), and not borrowing from a handle that is gone."""
        return self.live and (self.kind == "py" or self.depth == depth) \
            and (self.borrows is None or self.borrows.live)

    @property
    def free(self):
        """Whether a block may hand it out: live, borrowed by nothing, borrowing nothing."""
        return self.live and self.borrowers == 0 and self.borrows is None


# The classes a program with `classes=True` declares: one of each kind the collector treats
# differently (docs/design/pyclass-gc.md).
CLASSES = {
    "Plain": {"fields": ["next"]},
    "Trav": {"fields": ["next"], "traverse": True, "clear": True},
    "TravOnly": {"fields": ["next"], "traverse": True},
    # Its __traverse__ attaches and panics; held by `borrow_mut` it is not traversed at all.
    "TravAttach": {"fields": ["next"], "traverse": True, "clear": True, "traverse_attaches": True},
}

# What the generator draws by name (an API of `new`, a block, a pyclass borrow) that only some
# releases have: the Profile fields that must all hold for it. A name not listed is always there.
_NEEDS = {
    "bound": ("bound_api",), "gil_ref": ("gil_ref_api",),
    "new_pool": ("gil_ref_api",), "with_pool": ("gil_ref_api",),
    "guard": ("pyclass_guard",), "guard_mut": ("pyclass_guard",),
}
_APIS = ("py", "bound", "gil_ref")


def _holds(prof, needs):
    return all(getattr(prof, field) for field in needs)


def _offered(prof, names):
    """The names (in their order) that this release has."""
    return [n for n in names if _holds(prof, _NEEDS.get(n, ()))]


def _live_pys(hs):
    return [h for h in hs if h.live and h.kind == "py"]


def _declared_classes():
    return {k: dict(v, fields=list(v["fields"])) for k, v in CLASSES.items()}


class _Obj:
    """What the generator knows of a pyclass instance: the type of what its field holds."""

    __slots__ = ("cls", "next")

    def __init__(self, cls):
        self.cls, self.next = cls, None


class _Draw:
    """Where one op is being drawn: the handles it sees (`scope`, which includes the body's
    own new handles, `local`), the region depth, whether a GIL token is here, whether inside a
    loop, how many more blocks may nest, and the name drawn for a result."""

    __slots__ = ("scope", "local", "depth", "gil", "loop", "nest", "name")

    def __init__(self, scope, local, depth, gil, loop, nest):
        self.scope, self.local, self.depth, self.gil = scope, local, depth, gil
        self.loop, self.nest, self.name = loop, nest, None


class _Gen:
    def __init__(self, choose, prof, max_ops, times=(0, 3), classes=False):
        self.c, self.p, self.budget, self.times = choose, prof, max_ops, times
        self.classes = classes  # also draw pyclass fields, borrows and collections
        self.n = 0
        self.pyvars = []
        self.labels = 0
        # A Py may be dropped where no GIL is held: queued with the reference pool, leaked
        # with `--cfg pyo3_leak_on_drop_without_reference_pool`, an abort otherwise.
        # (0.30.1 with the leak cfg: such a drop never returns, so none is generated.)
        self.nogil_drop = prof.reference_pool or (prof.leak_without_pool
                                                  and not prof.leak_drop_never_returns)
        self.apis = _offered(prof, _APIS)
        self.block_kinds = _offered(prof, tuple(_BLOCKS))
        self.borrow_kinds = _offered(prof, BORROW_OPS)

    def pick(self, seq):
        return seq[self.c(0, len(seq) - 1)]

    def name(self, stem):
        self.n += 1
        return f"{stem}{self.n}"

    def probe(self, d=None):
        """A probe; `d` (where it is drawn) is there so the op tables can name this too."""
        self.labels += 1
        return {"op": "probe", "label": f"p{self.labels}"}

    def usable(self, scope, depth):
        """The handles of `scope` (a list, newest last) that an op at `depth` may name."""
        return [h for h in scope if h.usable_at(depth)]

    def body(self, scope, depth, gil, loop, nest):
        """Ops for one body. gil: a token is here; loop: inside repeat (keep outer handles)."""
        ops, local = [], []
        for _ in range(self.c(1, 5)):
            if self.budget <= 0:
                break
            self.budget -= 1
            ops.append(self.one(_Draw(scope + local, local, depth, gil, loop, nest)))
        return ops, local

    def new(self, depth):
        api = self.pick(self.apis)
        typ = "object" if api == "py" else self.pick(["object", "object", "list", "tuple"])
        name = self.name(typ[0])
        op = {"op": "new", "as": name, "type": typ, "api": api}
        return op, _H(name, api, typ, 0, None, depth)

    def one(self, d):
        """One op. Without the GIL every choice gives an op; with it, a choice that does not
        apply to the picked handle is drawn again."""
        if not d.gil:
            return _NOGIL[self.c(0, 19)](self, d)
        for _ in range(4):
            op = self.try_one(d)
            if op is not None:
                return op
        return self.probe()

    def try_one(self, d):
        """One draw with the GIL: a choice in 0 … 19 (`_ON_HANDLE` says what 6 … 19 do with
        the handle they pick), then what that choice draws."""
        choice = self.c(0, 19)
        if self.classes and self.c(0, 2) == 0:
            return self._class_op(d)
        if choice <= 5:
            return self.probe() if choice == 5 else self._new_with_items(d)
        hs = self.usable(d.scope, d.depth)
        if not hs:
            return self._new_local(d)
        h = self.pick(hs)
        d.name = self.name("v")
        rule = _ON_HANDLE[choice]
        return rule.fn(self, h, d) if rule.applies(h, self.p) else None

    def _new_local(self, d):
        op, h = self.new(d.depth)
        d.local.append(h)
        return op

    def _new_with_items(self, d):
        op, h = self.new(d.depth)
        if h.typ in ("list", "tuple") and self.c(0, 3):
            items = self.usable(d.scope, d.depth)
            if items:
                op["items"] = [self.pick(items).name]
                h.length = 1
        d.local.append(h)
        return op

    # -- ops on a picked handle (`_ON_HANDLE` has already checked its kind, type, release) ----
    def _consume(self, h, d):
        """Ends `h` if it may be moved or dropped here (no borrows of it, and inside a loop only
        if the loop body made it, so that every iteration can do the same); whether it did."""
        if (h in d.local or not d.loop) and h.borrowers == 0:
            h.live = False
            return True
        return False

    def _borrow(self, h):
        h.borrowers += 1
        return h

    def _op(self, op, h, d, kind, borrow=None, **extra):
        """`op` on `h`, whose result (of `kind`, borrowing `borrow`) gets the drawn name."""
        return {"op": op, "src": h.name, **extra,
                "as": self._add(d.local, d.name, kind, h, d.depth, borrow)}

    def _clone(self, h, d):
        if h.kind == "py" and not self.p.py_clone:
            return self._op("clone_ref", h, d, "py")
        kind = {"bound_ref": "bound"}.get(h.kind, h.kind)
        nb = h.borrows if h.kind in ("borrowed", "gil_ref") else None
        return self._op("clone", h, d, kind, nb)

    def _drop(self, h, d):
        return {"op": "drop", "src": h.name} if self._consume(h, d) else None

    def _unbind(self, h, d):
        return self._op("unbind", h, d, "py") if self._consume(h, d) else None

    def _py_method(self, h, d):
        sub = self.pick(list(_PY_METHODS))
        kind, effect = _PY_METHODS[sub]
        if effect == "consume" and not self._consume(h, d):
            sub, kind, effect = "clone_ref", "py", None
        if kind is None:
            return {"op": sub, "src": h.name}
        return self._op(sub, h, d, kind, self._borrow(h) if effect == "borrow" else None)

    def _as_borrowed(self, h, d):
        return self._op("as_borrowed", h, d, "borrowed", self._borrow(h))

    def _to_owned(self, h, d):
        return self._op("to_owned", h, d, "bound")

    def _gil_ref_of(self, h, d, into, as_):
        """`into_gil_ref`/`into_ref` (consuming) or `as_gil_ref`/`as_ref` (borrowing)."""
        if self.c(0, 1) and self._consume(h, d):
            return self._op(into, h, d, "gil_ref")
        return self._op(as_, h, d, "gil_ref", self._borrow(h))

    def _bound_gil_ref(self, h, d):
        return self._gil_ref_of(h, d, "into_gil_ref", "as_gil_ref")

    def _py_gil_ref(self, h, d):
        return self._gil_ref_of(h, d, "into_ref", "as_ref")

    def _into_py(self, h, d):
        if h.kind == "bound" and not self._consume(h, d):
            return None
        return self._op("into_py", h, d, "py")

    def _append(self, h, d):
        it = self.pick(self.usable(d.scope, d.depth))
        h.length += 1
        return {"op": "append", "src": h.name, "item": it.name}

    def _get_item(self, h, d):
        if h.length == 0:
            return None
        i = self.c(0, h.length - 1)
        if h.kind == "gil_ref":  # a GIL ref tuple's item is a cast that borrows the tuple
            return self._op("get_item", h, d, "gil_ref", self._borrow(h) if h.typ == "tuple"
                            else None, index=i)
        if h.typ == "tuple" and self.p.bound_api and self.c(0, 1):
            return self._op("get_borrowed_item", h, d, "borrowed", self._borrow(h), index=i)
        return self._op("get_item", h, d, "bound", index=i)

    def _nested(self, h, d):
        """A nested block (drawn after a handle, which it does not use)."""
        return self.block(d) if self._can_nest(d) else None

    def _add(self, local, name, kind, src, depth, borrows=None):
        typ = src.typ if src is not None else "object"
        h = _H(name, kind, typ, 0, borrows, depth)
        h.obj = src.obj if src is not None else None
        local.append(h)
        return name

    # -- pyclass fields, borrows, collections (only with `classes=True`) ------------------------
    def _class_op(self, d):
        """One draw among the pyclass ops; each keeps the program free of panics."""
        choice = self.c(0, 5)
        insts = [h for h in self.usable(d.scope, d.depth) if h.obj is not None]
        if choice == 0 or not insts:
            return self._new_instance(d)
        if choice == 5:
            return {"op": "gc_collect"}
        h = self.pick(insts)
        return (self._set_field, self._clear_field, self._take_field, self._borrows)[choice - 1](
            h, d)

    def _new_instance(self, d):
        op, h = self.new(d.depth)
        if h.typ != "object":
            return op
        cls = self.pick(sorted(CLASSES))
        op["class"] = cls
        h.obj = _Obj(cls)
        d.local.append(h)
        return op

    def _set_field(self, h, d):
        values = [v for v in self.usable(d.scope, d.depth) if v.kind in ("py", "bound", "gil_ref")]
        if not values:
            return None
        v = self.pick(values)
        h.obj.next = v.typ
        return {"op": "set_field", "src": h.name, "field": "next", "value": v.name}

    def _clear_field(self, h, d):
        h.obj.next = None
        return {"op": "clear_field", "src": h.name, "field": "next"}

    def _take_field(self, h, d):
        if h.obj.next is None:
            return None  # `.take().unwrap()` of an empty field panics
        name = self.name("t")
        d.local.append(_H(name, "py", h.obj.next, 0, None, d.depth))
        h.obj.next = None
        return {"op": "take_field", "src": h.name, "field": "next", "as": name}

    def _borrows(self, h, d):
        """A borrow held only inside a nested block, so no borrow outlives it: one
        exclusive borrow, or one or two shared ones; maybe a collection while they are held."""
        first = self.pick(self.borrow_kinds)
        held = [self._borrow_op(first, h)]
        if "mut" not in first and self.c(0, 1):
            shared = [k for k in self.borrow_kinds if "mut" not in k]
            held.append(self._borrow_op(self.pick(shared), h))
        body = held + ([{"op": "gc_collect"}] if self.c(0, 2) == 0 else []) + [self.probe()]
        body += [{"op": "drop", "src": b["as"]} for b in reversed(held) if self.c(0, 1)]
        return {"op": "gil", "body": body}

    def _borrow_op(self, kind, h):
        return {"op": kind, "src": h.name, "as": self.name("b")}

    # -- without the GIL: only Py handles, and only what cannot panic or abort -----------------
    def _nogil_py(self, d):
        pys = [h for h in self.usable(d.scope, d.depth) if h.kind == "py"]
        return self.pick(pys) if pys else None

    def _nogil_clone(self, d):
        """Py::clone without the GIL queues an incref where the release allows it (0.20/0.21);
        elsewhere this choice drops the Py like `_nogil_drop`."""
        h = self._nogil_py(d)
        if h is not None and self.p.deferred_increfs:
            q = self._add(d.local, self.name("q"), "py", h, d.depth)
            return {"op": "clone", "src": h.name, "as": q}
        return self._nogil_drop_of(h, d)

    def _nogil_drop(self, d):
        return self._nogil_drop_of(self._nogil_py(d), d)

    def _nogil_drop_of(self, h, d):
        op = self._drop(h, d) if h is not None and self.nogil_drop else None
        return op or self.probe()

    def _nogil_block(self, d):
        return self._open("gil", d) if self._can_nest(d) else self.probe()

    # -- blocks -------------------------------------------------------------------------------
    def _can_nest(self, d):
        return d.nest > 0 and self.budget > 2

    def block(self, d):
        return self._open(self.pick(self.block_kinds), d)

    def _open(self, kind, d):
        """Block `kind` drawn at `d`. Its body sees `d.scope + d.local`, so the enclosing
        body's own handles come twice (`d.scope` has them already): a weighting the seeds'
        programs depend on. A GIL taken where none was held starts a new region."""
        b = _BLOCKS[kind]
        depth = d.depth + b.step if d.gil else d.depth + 1
        ops, inner = self.body(d.scope + d.local, depth, b.gil, d.loop or b.loop, d.nest - 1)
        return b.end(self, kind, ops, inner, d)

    def _end_plain(self, kind, ops, inner, d):
        return {"op": kind, "body": ops}

    def _end_repeat(self, kind, ops, inner, d):
        return {"op": kind, "times": self.c(*self.times), "body": ops}

    def _end_gil(self, kind, ops, inner, d):
        """A `gil`/`nogil` block may hand a Py out, where a Py may be dropped without the GIL
        (it may end up dropped so: elsewhere an abort)."""
        op = {"op": kind, "body": ops}
        h = self._hand_out(op, inner, ("py",)) if self.nogil_drop else None
        if h is not None and self.c(0, 1):
            op["as"] = self._add(d.local, self.name("r"), h.kind, h, d.depth)
        return op

    def _end_pyfunction(self, kind, ops, inner, d):
        """A pyfunction may return any free handle, bound to a Python variable or not."""
        op = {"op": kind, "body": ops}
        if self._hand_out(op, inner, _KINDS) is not None and self.c(0, 1):
            op["as"] = self.name("py")
            if not d.loop:  # a `repeat` of 0 times never binds it: no `del` may name it
                self.pyvars.append(op["as"])
        return op

    def _hand_out(self, op, inner, kinds):
        """Maybe end `op`'s body by returning one of its own free handles of `kinds`."""
        cands = [h for h in inner if h.free and h.kind in kinds]
        if not cands or self.c(0, 2):
            return None
        h = self.pick(cands)
        op["body"].append({"op": "return", "src": h.name})
        h.live = False
        return h

    # -- the top level ------------------------------------------------------------------------
    def program(self):
        ops, top = [], []
        for _ in range(self.c(1, 3)):
            if self.budget <= 0:
                break
            self.chunk(ops, top)
        ops += self.closing(top)
        d = {"format": FORMAT, "ops": ops}
        if self.classes:
            d["classes"] = _declared_classes()
        return d

    def chunk(self, ops, top):
        """One top-level piece (a GIL block, a pyfunction, a Py sent to a thread, a `del`),
        then a probe. `top` holds the top-level handles; the stateful tests grow a program
        a chunk at a time."""
        ops += _CHUNKS[self.c(0, 6)](self, top)
        ops.append(self.probe())

    def _top_gil(self, top):
        # The top level is a region without the GIL whose scope and own handles are both `top`.
        return [self._open("gil", _Draw(top, top, 0, False, False, 3))]

    def _top_pyfunction(self, top):
        body, _ = self.body(top, 1, True, False, 1)
        return [{"op": "pyfunction", "body": body}]

    def _top_thread(self, top):
        """Make a Py at top level, move it into a thread, drop it there (no GIL)."""
        if not self.nogil_drop:
            return self._top_del(top)
        v = self.name("p")
        ops = [{"op": "gil", "as": v, "body": [
            {"op": "new", "as": v + "_", "type": "object", "api": "py"},
            {"op": "return", "src": v + "_"}]}]
        top.append(_H(v, "py", "object", 0, None, 0))
        h = self.pick(_live_pys(top))
        h.live = False
        t = self.pick(["worker", "helper"])
        ops.append({"op": "send", "src": h.name, "to": t})
        ops.append({"op": "thread", "name": t, "body": self._thread_body(h)})
        return ops

    def _thread_body(self, h):
        body = [{"op": "drop", "src": h.name}] if self.c(0, 1) else []
        body.append(self.probe())
        if self.c(0, 1):
            inner, _ = self.body([], 1, True, False, 1)
            body.append({"op": "gil", "body": inner})
        return body

    def _top_del(self, top):
        if not self.pyvars:
            return self._top_gil(top)
        return [{"op": "py_del", "src": self.pyvars.pop(0)}]

    def closing(self, top):
        """Ops that end a program cleanly: without a reference pool, top-level py handles
        would be dropped without the GIL at the end (an abort), so a last gil block drops them."""
        if self.nogil_drop:
            return []
        return [{"op": "gil", "body": [{"op": "drop", "src": h.name}]} for h in _live_pys(top)]


_KINDS = ("py", "bound", "bound_ref", "borrowed", "gil_ref")
_GIL_BOUND = _KINDS[1:]


class _Rule(NamedTuple):
    """What an op on a picked handle needs: the handle's kind and type, the release's
    Profile fields."""

    fn: object
    kinds: tuple = _KINDS
    types: tuple = ("object", "list", "tuple")
    needs: tuple = ()

    def applies(self, h, prof):
        return h.kind in self.kinds and h.typ in self.types and _holds(prof, self.needs)


# What choices 6 … 19 of `_Gen.try_one` do with the handle they picked.
_ON_HANDLE = {
    6: _Rule(_Gen._clone),
    7: _Rule(_Gen._drop, ("bound", "py")),
    8: _Rule(_Gen._unbind, ("bound",)),
    9: _Rule(_Gen._py_method, ("py",), needs=("bound_api",)),
    10: _Rule(_Gen._as_borrowed, ("bound", "bound_ref"), needs=("bound_api",)),
    11: _Rule(_Gen._to_owned, ("borrowed", "bound_ref")),
    12: _Rule(_Gen._bound_gil_ref, ("bound",), needs=("gil_ref_api", "bound_api")),
    13: _Rule(_Gen._py_gil_ref, ("py",), needs=("gil_ref_api",)),
    14: _Rule(_Gen._into_py, _GIL_BOUND, needs=("into_py_api",)),
    15: _Rule(_Gen._append, _GIL_BOUND, ("list",)),
    16: _Rule(_Gen._get_item, _GIL_BOUND, ("list", "tuple")),
    **dict.fromkeys((17, 18, 19), _Rule(_Gen._nested)),
}

# The Py methods `_Gen._py_method` draws: the kind of handle each makes (None: nothing), and
# whether it borrows or consumes the Py.
_PY_METHODS = {"bind": ("bound_ref", "borrow"), "bind_borrowed": ("borrowed", "borrow"),
               "into_bound": ("bound", "consume"), "clone_ref": ("py", None),
               "drop_ref": (None, "consume")}

# What choices 0 … 19 do without the GIL.
_NOGIL = (_Gen._nogil_clone,) * 3 + (_Gen._nogil_drop,) * 3 + (_Gen.probe,) * 9 \
    + (_Gen._nogil_block,) * 5


class _Block(NamedTuple):
    """A block kind: how far its body's region is from the enclosing one (a new region where
    GIL-bound handles from outside are out of reach: `allow_threads`, `with_pool`'s Ungil
    closure), whether its body holds the GIL, whether it loops, and what ends it."""

    step: int
    gil: bool
    loop: bool
    end: object


_BLOCKS = {
    "gil": _Block(0, True, False, _Gen._end_gil),
    "nogil": _Block(1, False, False, _Gen._end_gil),
    "repeat": _Block(0, True, True, _Gen._end_repeat),
    "pyfunction": _Block(0, True, False, _Gen._end_pyfunction),
    "new_pool": _Block(0, True, False, _Gen._end_plain),
    "with_pool": _Block(1, True, False, _Gen._end_plain),
}

# What choices 0 … 6 of `_Gen.chunk` add at top level; a thread needs a Py that may be dropped
# without the GIL (else a `del`), a `del` a Python variable (else a GIL block).
_CHUNKS = (_Gen._top_gil,) * 3 + (_Gen._top_pyfunction, _Gen._top_thread) + (_Gen._top_del,) * 2


def generate(choose, prof, max_ops=40, times=(0, 3), classes=False):
    """One valid program for `prof` (a `versions.Profile`); `repeat` loops run a number of
    times drawn from the range `times`. `classes=True` also declares `CLASSES` and draws
    pyclass instances, field writes, borrows and `gc_collect` (issue 13); without it the
    same `choose` gives exactly the programs it always gave."""
    return _Gen(choose, prof, max_ops, times, classes).program()


def programs(prof, max_ops=40, times=(0, 3), classes=False):
    """A hypothesis strategy of valid programs for a profile."""
    from hypothesis import strategies as st

    @st.composite
    def strat(draw):
        return generate(lambda lo, hi: draw(st.integers(lo, hi)), prof, max_ops, times, classes)

    return strat()


def loop_program(choose, prof, max_ops=25, times=(16, 40)):
    """A valid program built around one long `repeat` of a random body that names only its
    own handles, after a random prefix (pools, queued decrefs, threads, Python variables):
    the programs that `fastforward` may write in bulk."""
    g = _Gen(choose, prof, max_ops)
    ops = g.program()["ops"]
    body, _ = g.body([], 1, True, True, 1)
    loop = [{"op": "repeat", "times": choose(*times), "body": body}, g.probe()]
    where = choose(0, 2)
    if where == 1 and prof.gil_ref_api:
        ops.append({"op": "gil", "body": [{"op": "new_pool", "body": loop}]})
    elif where == 2:
        ops.append({"op": "pyfunction", "body": loop})
    else:
        ops.append({"op": "gil", "body": loop})
    return {"format": FORMAT, "ops": ops}


def loop_programs(prof, max_ops=25, times=(16, 40)):
    """A hypothesis strategy of `loop_program`s."""
    from hypothesis import strategies as st

    @st.composite
    def strat(draw):
        return loop_program(lambda lo, hi: draw(st.integers(lo, hi)), prof, max_ops, times)

    return strat()
