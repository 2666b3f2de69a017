"""A persistent vector with structural sharing, for cheap snapshots of large states.

PyO3 has no such thing: this is bookkeeping for the trace. A GIL-ref loop of a million
iterations leaves a million objects and a pool of a million entries; copying that at every
step would make the trace quadratic. Instead the live state keeps its big sequences (object
refcounts, each thread's owned-object pool, the pending queues, container slots) in `PVec`,
a fixed-depth trie of 64-way nodes. A snapshot is just `(root, length)`: O(1). After a
snapshot the owner takes a fresh *edit token*; a write copies only the nodes on its path
that carry an older token (copy-on-write, as in Clojure's transients), so a run of writes
between two snapshots copies each touched path once.

Each node is a Python list of 64 slots followed by the token of the edit that owns it.
"""

from __future__ import annotations

_B = 6
_W = 1 << _B  # 64 slots per node
_M = _W - 1
LEAF = _W
_LEVELS = 4  # 64**4 = 16,777,216 slots: far above the model's caps
CAPACITY = _W**_LEVELS


def _node(tok):
    n = [None] * _W
    n.append(tok)
    return n


class PVec:
    """A vector whose contents can be frozen in O(1) with `snapshot()`.

    `edit` is the owner's current token; the owner replaces it (`Editor.freeze`) after each
    snapshot so that frozen nodes are never written again.
    """

    __slots__ = ("root", "n", "editor", "tail", "tail_key")

    def __init__(self, editor, snap=None):
        self.editor = editor
        self.tail, self.tail_key = None, -1  # the last leaf written, for the append fast path
        if snap is None:
            self.root, self.n = None, 0
        else:
            self.root, self.n = snap

    def snapshot(self):
        return (self.root, self.n)

    def __len__(self):
        return self.n

    def get(self, i):
        r = self.root
        return r[i >> 18][(i >> 12) & _M][(i >> 6) & _M][i & _M]

    def _leaf(self, i, create):
        """The leaf holding slot i, made to belong to the current edit: every node on its
        path that an older edit (a snapshot) owns is copied first. With `create`, missing
        nodes are made (appends grow the trie)."""
        tok = self.editor.tok
        node = self.root
        if node is None:
            node = self.root = _node(tok)
        elif node[_W] is not tok:
            node = node[:]
            node[_W] = tok
            self.root = node
        for shift in (18, 12, 6):
            k = (i >> shift) & _M
            child = node[k]
            if child is None:
                if not create:
                    raise IndexError(i)
                child = node[k] = _node(tok)
            elif child[_W] is not tok:
                child = child[:]
                child[_W] = tok
                node[k] = child
            node = child
        return node

    def read_leaf(self, i):
        """The leaf holding slot i, for reading: slot i is `leaf[i % LEAF]`, and the leaf
        holds slots up to the next multiple of LEAF."""
        r = self.root
        return r[i >> 18][(i >> 12) & _M][(i >> 6) & _M]

    def write_leaf(self, leaf, i):
        """`leaf` (the one holding slot i) made writable in the current edit."""
        return leaf if leaf[_W] is self.editor.tok else self._leaf(i, False)

    def set(self, i, x):
        self._leaf(i, False)[i & _M] = x

    def add(self, i, delta):
        """`self[i] += delta`, returning the new value (one call on the refcount hot path)."""
        r = self.root
        leaf = r[i >> 18][(i >> 12) & _M][(i >> 6) & _M]
        v = leaf[i & _M] + delta
        if leaf[_W] is not self.editor.tok:
            leaf = self._leaf(i, False)
        leaf[i & _M] = v
        return v

    def append(self, x):
        i = self.n
        leaf = self.tail
        # Fast path: the leaf for slot i was written in this same edit, so it and its whole
        # path already belong to this edit and can be written in place.
        if (i >> 6) == self.tail_key and leaf[_W] is self.editor.tok:
            leaf[i & _M] = x
            self.n = i + 1
            return
        if i >= CAPACITY:
            raise OverflowError("bound_demo state vector is full")
        leaf = self._leaf(i, True)
        leaf[i & _M] = x
        self.n = i + 1
        self.tail, self.tail_key = leaf, i >> 6

    def extend(self, values):
        """Append a list of values, a leaf at a time (the bulk path of `fastforward`)."""
        i, n = self.n, len(values)
        if i + n > CAPACITY:
            raise OverflowError("bound_demo state vector is full")
        pos = 0
        while pos < n:
            leaf = self._leaf(i, True)
            j = i & _M
            take = min(_W - j, n - pos)
            leaf[j : j + take] = values[pos : pos + take]
            self.tail, self.tail_key = leaf, i >> 6
            i += take
            pos += take
        self.n = i

    def truncate(self, n):
        # Slots past the new length keep stale values; they are unreachable and are
        # overwritten (copy-on-write) by later appends.
        self.n = n


class Editor:
    """Holds the current edit token shared by all vectors of one live state."""

    __slots__ = ("tok",)

    def __init__(self):
        self.tok = object()

    def freeze(self):
        self.tok = object()


def snap_get(snap, i):
    """Item i of a frozen `(root, n)` snapshot."""
    r = snap[0]
    return r[i >> 18][(i >> 12) & _M][(i >> 6) & _M][i & _M]


def snap_list(snap, start=0, stop=None):
    """Items `start:stop` of a frozen snapshot as a list, walking leaves (not slot by slot)."""
    root, n = snap
    stop = n if stop is None else min(stop, n)
    out = []
    i = start
    while i < stop:
        leaf = root[i >> 18][(i >> 12) & _M][(i >> 6) & _M]
        j = i & _M
        take = min(_W - j, stop - i)
        out.extend(leaf[j : j + take])
        i += take
    return out
