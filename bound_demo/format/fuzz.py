"""Random *valid* programs, for property tests and the model-vs-witness differential tests.

`generate(choose, prof)` builds a program that Rust would accept and that neither panics,
aborts, deadlocks nor reaches undefined behaviour under that release profile: it keeps a
small symbolic picture of the handles in scope (kind, owner, borrowers, container length)
and only picks ops that are legal for them. `choose(lo, hi)` returns an int in [lo, hi]:
`random.Random.randint` for plain use, a hypothesis draw for shrinking
(`programs(prof)` is the hypothesis strategy).
"""

from __future__ import annotations

from .program import FORMAT


class _H:
    __slots__ = ("name", "kind", "typ", "length", "borrowers", "borrows", "live", "depth")

    def __init__(self, name, kind, typ, length=0, borrows=None, depth=0):
        self.name, self.kind, self.typ, self.length = name, kind, typ, length
        self.borrowers, self.borrows, self.live, self.depth = 0, borrows, True, depth


class _Gen:
    def __init__(self, choose, prof, max_ops, times=(0, 3)):
        self.c, self.p, self.budget, self.times = choose, prof, max_ops, times
        self.n = 0
        self.pyvars = []
        self.labels = 0
        self.m = int(prof.pyo3.split(".")[1])
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
        p, c = self.p, self.c
        choice = c(0, 19)
        outer_ok = lambda h: (h in local) or not loop  # noqa: E731 - keep loops repeatable
        if not gil:
            return self.one_nogil(scope, local, depth, loop, nest, choice)
        if choice <= 4:
            op, h = self.new(local, depth)
            if h.typ in ("list", "tuple") and self.c(0, 3):
                items = self.usable(scope, depth)
                if items:
                    it = self.pick(items)
                    op["items"] = [it.name]
                    h.length = 1
            local.append(h)
            return op
        if choice == 5:
            return self.probe()
        hs = self.usable(scope, depth)
        if not hs:
            op, h = self.new(local, depth)
            local.append(h)
            return op
        h = self.pick(hs)
        name = self.name("v")
        if choice == 6:  # clone
            if h.kind == "py" and not p.py_clone:
                return {"op": "clone_ref", "src": h.name, "as": self._add(local, name, "py", h, depth)}
            kind = {"bound_ref": "bound"}.get(h.kind, h.kind)
            nb = h.borrows if h.kind in ("borrowed", "gil_ref") else None
            return {"op": "clone", "src": h.name, "as": self._add(local, name, kind, h, depth, nb)}
        if choice == 7 and h.kind in ("bound", "py") and outer_ok(h) and self.consumable(h):
            h.live = False
            return {"op": "drop", "src": h.name}
        if choice == 8 and h.kind == "bound" and outer_ok(h) and self.consumable(h):
            h.live = False
            return {"op": "unbind", "src": h.name, "as": self._add(local, name, "py", h, depth)}
        if choice == 9 and h.kind == "py" and p.bound_api:
            sub = self.pick(["bind", "bind_borrowed", "into_bound", "clone_ref", "drop_ref"])
            if sub in ("into_bound", "drop_ref"):
                if not (outer_ok(h) and self.consumable(h)):
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
            return {"op": sub, "src": h.name, "as": self._add(local, name, kind, h, depth, borrow)}
        if choice == 10 and h.kind in ("bound", "bound_ref") and p.bound_api:
            h.borrowers += 1
            return {"op": "as_borrowed", "src": h.name, "as": self._add(local, name, "borrowed", h, depth, h)}
        if choice == 11 and h.kind in ("borrowed", "bound_ref"):
            return {"op": "to_owned", "src": h.name, "as": self._add(local, name, "bound", h, depth)}
        if choice == 12 and h.kind == "bound" and p.gil_ref_api and p.bound_api:
            if self.c(0, 1) and outer_ok(h) and self.consumable(h):
                h.live = False
                return {"op": "into_gil_ref", "src": h.name, "as": self._add(local, name, "gil_ref", h, depth)}
            h.borrowers += 1
            return {"op": "as_gil_ref", "src": h.name, "as": self._add(local, name, "gil_ref", h, depth, h)}
        if choice == 13 and h.kind == "py" and p.gil_ref_api:
            if self.c(0, 1) and outer_ok(h) and self.consumable(h):
                h.live = False
                return {"op": "into_ref", "src": h.name, "as": self._add(local, name, "gil_ref", h, depth)}
            h.borrowers += 1
            return {"op": "as_ref", "src": h.name, "as": self._add(local, name, "gil_ref", h, depth, h)}
        if choice == 14 and self.m <= 24 and h.kind in ("gil_ref", "bound", "bound_ref", "borrowed"):
            if h.kind == "bound" and not (outer_ok(h) and self.consumable(h)):
                return None
            if h.kind == "bound":
                h.live = False
            return {"op": "into_py", "src": h.name, "as": self._add(local, name, "py", h, depth)}
        if choice == 15 and h.kind != "py" and h.typ == "list":
            it = self.pick(self.usable(scope, depth))
            h.length += 1
            return {"op": "append", "src": h.name, "item": it.name}
        if choice == 16 and h.kind != "py" and h.typ in ("list", "tuple") and h.length > 0:
            i = self.c(0, h.length - 1)
            if h.typ == "tuple" and h.kind != "gil_ref" and p.bound_api and self.c(0, 1):
                h.borrowers += 1
                return {"op": "get_borrowed_item", "src": h.name, "index": i,
                        "as": self._add(local, name, "borrowed", h, depth, h)}
            tuple_cast = h.kind == "gil_ref" and h.typ == "tuple"
            kind = "gil_ref" if h.kind == "gil_ref" else "bound"
            if tuple_cast:
                h.borrowers += 1
            return {"op": "get_item", "src": h.name, "index": i,
                    "as": self._add(local, name, kind, h, depth, h if tuple_cast else None)}
        if choice >= 17 and nest > 0 and self.budget > 2:
            return self.block(scope, local, depth, nest - 1, loop)
        return None

    def _add(self, local, name, kind, src, depth, borrows=None):
        typ = src.typ if src is not None else "object"
        h = _H(name, kind, typ, 0, borrows, depth)
        local.append(h)
        return name

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

    def _maybe_return(self, op, inner, local, outer_depth, py_only):
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
            self._maybe_return(op, inner, local, depth, py_only=False)
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
        return {"format": FORMAT, "ops": ops}

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


def generate(choose, prof, max_ops=40, times=(0, 3)):
    """One valid program for `prof` (a `versions.Profile`); `repeat` loops run a number of
    times drawn from the range `times`."""
    return _Gen(choose, prof, max_ops, times).program()


def programs(prof, max_ops=40, times=(0, 3)):
    """A hypothesis strategy of valid programs for a profile."""
    from hypothesis import strategies as st

    @st.composite
    def strat(draw):
        return generate(lambda lo, hi: draw(st.integers(lo, hi)), prof, max_ops, times)

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
