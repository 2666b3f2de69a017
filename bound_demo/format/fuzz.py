"""Random *valid* programs, for property tests and the model-vs-witness differential tests.

`generate(choose, prof)` builds a program that Rust would accept and that neither panics,
aborts, deadlocks nor reaches undefined behaviour under that release profile: it keeps a
small symbolic picture of the handles in scope (kind, owner, borrowers, container length)
and only picks ops that are legal for them. `choose(lo, hi)` returns an int in [lo, hi]:
`random.Random.randint` for plain use, a hypothesis draw for shrinking
(`programs(prof)` is the hypothesis strategy).
"""

from __future__ import annotations

from .program import BORROW_OPS, FORMAT


class _H:
    __slots__ = ("name", "kind", "typ", "length", "borrowers", "borrows", "live", "depth", "obj")

    def __init__(self, name, kind, typ, length=0, borrows=None, depth=0):
        self.name, self.kind, self.typ, self.length = name, kind, typ, length
        self.borrowers, self.borrows, self.live, self.depth = 0, borrows, True, depth
        self.obj = None  # a declared pyclass instance: its `_Obj` (shared by every alias)


# The classes a program with `classes=True` declares: one of each kind the collector treats
# differently (docs/design/pyclass-gc.md).
CLASSES = {
    "Plain": {"fields": ["next"]},
    "Trav": {"fields": ["next"], "traverse": True, "clear": True},
    "TravOnly": {"fields": ["next"], "traverse": True},
    # Its __traverse__ attaches and panics; held by `borrow_mut` it is not traversed at all.
    "TravAttach": {"fields": ["next"], "traverse": True, "clear": True, "traverse_attaches": True},
}


class _Obj:
    """What the generator knows of a pyclass instance: the type of what its field holds."""

    __slots__ = ("cls", "next")

    def __init__(self, cls):
        self.cls, self.next = cls, None


class _Draw:
    """Where an op on a picked handle is being drawn: the scope it sees, the body's own new
    handles (`local`), the region depth, whether inside a loop, and the name drawn for a
    result."""

    __slots__ = ("scope", "local", "depth", "loop", "name")

    def __init__(self, scope, local, depth, loop, name):
        self.scope, self.local, self.depth, self.loop, self.name = scope, local, depth, loop, name


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

    def pick(self, seq):
        return seq[self.c(0, len(seq) - 1)]

    def name(self, stem):
        self.n += 1
        return f"{stem}{self.n}"

    def probe(self):
        self.labels += 1
        return {"op": "probe", "label": f"p{self.labels}"}

    # -- scopes: a list of _H visible, newest last ----------------------------------------------
    def usable(self, scope, depth, kinds=None, typ=None):
        out = []
        for h in scope:
            if not h.live:
                continue
            if h.kind != "py" and h.depth != depth:
                continue  # a GIL-bound handle from another region: not usable here
            if h.borrows is not None and not h.borrows.live:
                continue
            if kinds and h.kind not in kinds:
                continue
            if typ and h.typ not in typ:
                continue
            out.append(h)
        return out

    def consumable(self, h):
        return h.borrowers == 0

    def body(self, scope, depth, gil, loop, allow_nested=2):
        """Ops for one body. gil: a token is here; loop: inside repeat (keep outer handles)."""
        ops, local = [], []
        k = self.c(1, 5)
        for _ in range(k):
            if self.budget <= 0:
                break
            self.budget -= 1
            op = self.one(scope + local, local, depth, gil, loop, allow_nested)
            if op is not None:
                ops.append(op)
        return ops, local

    def new(self, local, depth):
        p = self.p
        apis = ["py"] + (["bound"] if p.bound_api else []) + (["gil_ref"] if p.gil_ref_api else [])
        api = self.pick(apis)
        typ = "object" if api == "py" else self.pick(["object", "object", "list", "tuple"])
        name = self.name(typ[0])
        op = {"op": "new", "as": name, "type": typ, "api": api}
        kind = {"py": "py", "bound": "bound", "gil_ref": "gil_ref"}[api]
        h = _H(name, kind, typ, 0, None, depth)
        return op, h

    def one(self, scope, local, depth, gil, loop, nest):
        """One op; a choice that does not apply to the picked handle is drawn again."""
        for _ in range(4):
            op = self.try_one(scope, local, depth, gil, loop, nest)
            if op is not None:
                return op
        return self.probe()

    def try_one(self, scope, local, depth, gil, loop, nest):
        """One draw: a choice in 0 … 19, then what that choice draws. The order of draws is
        the generator's contract (same seed, same program): keep it when editing."""
        choice = self.c(0, 19)
        if not gil:
            return self.one_nogil(scope, local, depth, loop, nest, choice)
        if self.classes and self.c(0, 2) == 0:
            return self._class_op(scope, local, depth)
        if choice <= 4:
            return self._new_with_items(scope, local, depth)
        if choice == 5:
            return self.probe()
        hs = self.usable(scope, depth)
        if not hs:
            op, h = self.new(local, depth)
            local.append(h)
            return op
        h = self.pick(hs)
        name = self.name("v")
        if choice >= 17:
            return self.block(scope, local, depth, nest - 1, loop) \
                if nest > 0 and self.budget > 2 else None
        return _ON_HANDLE[choice](self, h, _Draw(scope, local, depth, loop, name))

    def _new_with_items(self, scope, local, depth):
        op, h = self.new(local, depth)
        if h.typ in ("list", "tuple") and self.c(0, 3):
            items = self.usable(scope, depth)
            if items:
                it = self.pick(items)
                op["items"] = [it.name]
                h.length = 1
        local.append(h)
        return op

    def _may_consume(self, h, d):
        """Whether `h` may be moved or dropped here: no borrows of it, and inside a loop only
        if the loop body made it (so that every iteration can do the same)."""
        return (h in d.local or not d.loop) and self.consumable(h)

    def _op(self, op, h, d, kind, borrow=None):
        return {"op": op, "src": h.name, "as": self._add(d.local, d.name, kind, h, d.depth, borrow)}

    def _clone(self, h, d):
        if h.kind == "py" and not self.p.py_clone:
            return self._op("clone_ref", h, d, "py")
        kind = {"bound_ref": "bound"}.get(h.kind, h.kind)
        nb = h.borrows if h.kind in ("borrowed", "gil_ref") else None
        return self._op("clone", h, d, kind, nb)

    def _drop(self, h, d):
        if h.kind in ("bound", "py") and self._may_consume(h, d):
            h.live = False
            return {"op": "drop", "src": h.name}
        return None

    def _unbind(self, h, d):
        if h.kind == "bound" and self._may_consume(h, d):
            h.live = False
            return self._op("unbind", h, d, "py")
        return None

    def _py_method(self, h, d):
        if not (h.kind == "py" and self.p.bound_api):
            return None
        sub = self.pick(["bind", "bind_borrowed", "into_bound", "clone_ref", "drop_ref"])
        if sub in ("into_bound", "drop_ref"):
            if not self._may_consume(h, d):
                sub = "clone_ref"
            else:
                h.live = False
        if sub == "drop_ref":
            return {"op": "drop_ref", "src": h.name}
        kind = {"bind": "bound_ref", "bind_borrowed": "borrowed", "into_bound": "bound",
                "clone_ref": "py"}[sub]
        borrow = h if sub in ("bind", "bind_borrowed") else None
        if borrow:
            h.borrowers += 1
        return self._op(sub, h, d, kind, borrow)

    def _as_borrowed(self, h, d):
        if h.kind in ("bound", "bound_ref") and self.p.bound_api:
            h.borrowers += 1
            return self._op("as_borrowed", h, d, "borrowed", h)
        return None

    def _to_owned(self, h, d):
        if h.kind in ("borrowed", "bound_ref"):
            return self._op("to_owned", h, d, "bound")
        return None

    def _gil_ref_of(self, h, d, kind, into, as_):
        """`into_gil_ref`/`into_ref` (consuming) or `as_gil_ref`/`as_ref` (borrowing)."""
        if not (h.kind == kind and self.p.gil_ref_api and (kind == "py" or self.p.bound_api)):
            return None
        if self.c(0, 1) and self._may_consume(h, d):
            h.live = False
            return self._op(into, h, d, "gil_ref")
        h.borrowers += 1
        return self._op(as_, h, d, "gil_ref", h)

    def _bound_gil_ref(self, h, d):
        return self._gil_ref_of(h, d, "bound", "into_gil_ref", "as_gil_ref")

    def _py_gil_ref(self, h, d):
        return self._gil_ref_of(h, d, "py", "into_ref", "as_ref")

    def _into_py(self, h, d):
        if not (self.p.into_py_api and h.kind in ("gil_ref", "bound", "bound_ref", "borrowed")):
            return None
        if h.kind == "bound":
            if not self._may_consume(h, d):
                return None
            h.live = False
        return self._op("into_py", h, d, "py")

    def _append(self, h, d):
        if h.kind != "py" and h.typ == "list":
            it = self.pick(self.usable(d.scope, d.depth))
            h.length += 1
            return {"op": "append", "src": h.name, "item": it.name}
        return None

    def _get_item(self, h, d):
        if not (h.kind != "py" and h.typ in ("list", "tuple") and h.length > 0):
            return None
        i = self.c(0, h.length - 1)
        if h.typ == "tuple" and h.kind != "gil_ref" and self.p.bound_api and self.c(0, 1):
            h.borrowers += 1
            return {"op": "get_borrowed_item", "src": h.name, "index": i,
                    "as": self._add(d.local, d.name, "borrowed", h, d.depth, h)}
        tuple_cast = h.kind == "gil_ref" and h.typ == "tuple"
        kind = "gil_ref" if h.kind == "gil_ref" else "bound"
        if tuple_cast:
            h.borrowers += 1
        return {"op": "get_item", "src": h.name, "index": i,
                "as": self._add(d.local, d.name, kind, h, d.depth, h if tuple_cast else None)}

    def _add(self, local, name, kind, src, depth, borrows=None):
        typ = src.typ if src is not None else "object"
        h = _H(name, kind, typ, 0, borrows, depth)
        h.obj = src.obj if src is not None else None
        local.append(h)
        return name

    # -- pyclass fields, borrows, collections (only with `classes=True`) ------------------------
    def _class_op(self, scope, local, depth):
        """One draw among the pyclass ops; each keeps the program free of panics."""
        choice = self.c(0, 5)
        insts = [h for h in self.usable(scope, depth) if h.obj is not None]
        if choice == 0 or not insts:
            return self._new_instance(local, depth)
        if choice == 5:
            return {"op": "gc_collect"}
        h = self.pick(insts)
        return (self._set_field, self._clear_field, self._take_field, self._borrows)[choice - 1](
            h, scope, local, depth)

    def _new_instance(self, local, depth):
        op, h = self.new(local, depth)
        if h.typ != "object":
            return op
        cls = self.pick(sorted(CLASSES))
        op["class"] = cls
        h.obj = _Obj(cls)
        local.append(h)
        return op

    def _set_field(self, h, scope, local, depth):
        values = [v for v in self.usable(scope, depth) if v.kind in ("py", "bound", "gil_ref")]
        if not values:
            return None
        v = self.pick(values)
        h.obj.next = v.typ
        return {"op": "set_field", "src": h.name, "field": "next", "value": v.name}

    def _clear_field(self, h, scope, local, depth):
        h.obj.next = None
        return {"op": "clear_field", "src": h.name, "field": "next"}

    def _take_field(self, h, scope, local, depth):
        if h.obj.next is None:
            return None  # `.take().unwrap()` of an empty field panics
        name = self.name("t")
        local.append(_H(name, "py", h.obj.next, 0, None, depth))
        h.obj.next = None
        return {"op": "take_field", "src": h.name, "field": "next", "as": name}

    def _borrows(self, h, scope, local, depth):
        """A borrow held only inside a nested block, so no borrow outlives it: one
        exclusive borrow, or one or two shared ones."""
        kinds = BORROW_OPS if self.p.pyclass_guard else BORROW_OPS[:4]
        first = self.pick(kinds)
        names = [self.name("b")]
        body = [{"op": first, "src": h.name, "as": names[0]}]
        if "mut" not in first and self.c(0, 1):
            names.append(self.name("b"))
            second = self.pick([k for k in kinds if "mut" not in k])
            body.append({"op": second, "src": h.name, "as": names[1]})
        if self.c(0, 2) == 0:
            body.append({"op": "gc_collect"})  # a collection while the borrow is held
        body.append(self.probe())
        body += [{"op": "drop", "src": n} for n in reversed(names) if self.c(0, 1)]
        return {"op": "gil", "body": body}

    def one_nogil(self, scope, local, depth, loop, nest, choice):
        """Inside allow_threads/detach: only Py handles, and only what cannot panic or abort."""
        pys = [h for h in self.usable(scope, depth, ("py",))]
        if choice <= 5 and pys:
            h = self.pick(pys)
            if self.p.deferred_increfs and choice <= 2:
                return {"op": "clone", "src": h.name, "as": self._add(local, self.name("q"), "py", h, depth)}
            if self.nogil_drop and (h in local or not loop) and self.consumable(h):
                h.live = False
                return {"op": "drop", "src": h.name}
        if choice >= 15 and nest > 0 and self.budget > 2:
            return self.gil_block(scope, local, depth + 1, nest - 1, loop)
        return self.probe()

    def gil_block(self, scope, local, depth, nest, loop, as_py=True):
        ops, inner = self.body(scope + local, depth, True, loop, nest)
        op = {"op": "gil", "body": ops}
        self._maybe_return(op, inner, local, depth - 1 if depth else 0, py_only=True)
        return op

    def _maybe_return(self, op, inner, local, outer_depth, py_only, loop=False):
        if not self.nogil_drop and op["op"] != "pyfunction":
            return  # a returned Py may end up dropped where no GIL is held: an abort
        cands = [h for h in inner if h.live and h.borrowers == 0 and (h.kind == "py" or not py_only)
                 and h.borrows is None]
        if cands and self.c(0, 2) == 0:
            h = self.pick(cands)
            op["body"].append({"op": "return", "src": h.name})
            h.live = False
            if op["op"] == "pyfunction":
                if self.c(0, 1):
                    v = self.name("py")
                    op["as"] = v
                    if not loop:  # a `repeat` of 0 times never binds it: no `del` may name it
                        self.pyvars.append(v)
                return
            if self.c(0, 1):
                op["as"] = self._add(local, self.name("r"), h.kind, h, outer_depth)

    def block(self, scope, local, depth, nest, loop):
        p = self.p
        kinds = ["gil", "nogil", "repeat", "pyfunction"]
        if p.gil_ref_api:
            kinds += ["new_pool", "with_pool"]
        k = self.pick(kinds)
        if k == "gil":
            ops, inner = self.body(scope + local, depth, True, loop, nest)
            op = {"op": "gil", "body": ops}
            self._maybe_return(op, inner, local, depth, py_only=True)
            return op
        if k == "nogil":
            ops, inner = self.body(scope + local, depth + 1, False, loop, nest)
            op = {"op": "nogil", "body": ops}
            self._maybe_return(op, inner, local, depth, py_only=True)
            return op
        if k == "repeat":
            ops, _ = self.body(scope + local, depth, True, True, nest)
            return {"op": "repeat", "times": self.c(*self.times), "body": ops}
        if k == "pyfunction":
            ops, inner = self.body(scope + local, depth, True, loop, nest)
            op = {"op": "pyfunction", "body": ops}
            self._maybe_return(op, inner, local, depth, py_only=False, loop=loop)
            return op
        # `with_pool`'s closure is Ungil: only Py handles from outside may be used there.
        inner_depth = depth + 1 if k == "with_pool" else depth
        ops, _ = self.body(scope + local, inner_depth, True, loop, nest)
        return {"op": k, "body": ops}

    def program(self):
        ops, top = [], []
        for _ in range(self.c(1, 3)):
            if self.budget <= 0:
                break
            self.chunk(ops, top)
        ops += self.closing(top)
        d = {"format": FORMAT, "ops": ops}
        if self.classes:
            d["classes"] = {k: dict(v, fields=list(v["fields"])) for k, v in CLASSES.items()}
        return d

    def chunk(self, ops, top):
        """One top-level piece (a GIL block, a pyfunction, a Py sent to a thread, a `del`),
        then a probe. `top` holds the top-level handles; the stateful tests grow a program
        a chunk at a time."""
        choice = self.c(0, 6)
        if choice <= 2:
            ops.append(self.gil_block(top, top, 1, 2, False))
        elif choice == 3:
            body, _ = self.body(top, 1, True, False, 1)
            ops.append({"op": "pyfunction", "body": body})
        elif choice == 4 and self.nogil_drop:
            # Make a Py at top level, move it into a thread, drop it there (no GIL).
            v = self.name("p")
            ops.append({"op": "gil", "as": v, "body": [
                {"op": "new", "as": v + "_", "type": "object", "api": "py"},
                {"op": "return", "src": v + "_"}]})
            top.append(_H(v, "py", "object", 0, None, 0))
            pys = [h for h in top if h.live and h.kind == "py"]
            if pys:
                h = self.pick(pys)
                h.live = False
                t = self.pick(["worker", "helper"])
                ops.append({"op": "send", "src": h.name, "to": t})
                body = [{"op": "drop", "src": h.name}] if self.c(0, 1) else []
                body.append(self.probe())
                if self.c(0, 1):
                    inner, _ = self.body([], 1, True, False, 1)
                    body.append({"op": "gil", "body": inner})
                ops.append({"op": "thread", "name": t, "body": body})
        elif self.pyvars:
            ops.append({"op": "py_del", "src": self.pyvars.pop(0)})
        else:
            ops.append(self.gil_block(top, top, 1, 2, False))
        ops.append(self.probe())

    def closing(self, top):
        """Ops that end a program cleanly: without a reference pool, top-level py handles
        would be dropped without the GIL at the end (an abort), so a last gil block drops them."""
        if self.nogil_drop:
            return []
        return [{"op": "gil", "body": [{"op": "drop", "src": h.name}]}
                for h in top if h.live and h.kind == "py"]


# What choices 6 … 16 of `_Gen.try_one` do with the handle they picked (None: not applicable).
_ON_HANDLE = {6: _Gen._clone, 7: _Gen._drop, 8: _Gen._unbind, 9: _Gen._py_method,
              10: _Gen._as_borrowed, 11: _Gen._to_owned, 12: _Gen._bound_gil_ref,
              13: _Gen._py_gil_ref, 14: _Gen._into_py, 15: _Gen._append, 16: _Gen._get_item}


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
