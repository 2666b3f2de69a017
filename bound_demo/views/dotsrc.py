"""A fast writer for DOT source, returning a ``graphviz.Digraph`` at the end.

It offers the few methods of ``graphviz.Digraph`` that ``frame`` uses (node, edge,
attr, subgraph) but formats lines directly: the library's general quoting costs
more than laying out the frame's data. That is safe here because every id is
made by ``labels.safe_id`` (letters, digits, underscores), every label is an
HTML-like label built from escaped text, and every other attribute value is a
constant of this package; ``_value`` refuses anything else.
"""
from __future__ import annotations

from contextlib import contextmanager

import graphviz


def _value(v) -> str:
    s = str(v)
    if s.startswith("<") and s.endswith(">"):
        return s
    if '"' in s or "\\" in s:
        raise ValueError(f"unexpected character in DOT attribute value {s!r}")
    return f'"{s}"'


def _attrs(attrs: dict) -> str:
    return " ".join(f"{k}={_value(v)}" for k, v in attrs.items() if v is not None)


class DotWriter:
    def __init__(self, name: str, *, graph_attr=None, node_attr=None, edge_attr=None,
                 _lines=None, _depth=1):
        self.name = name
        self.graph_attr, self.node_attr, self.edge_attr = graph_attr, node_attr, edge_attr
        self.lines = [] if _lines is None else _lines
        self.depth = _depth

    def _emit(self, text: str) -> None:
        self.lines.append("\t" * self.depth + text + "\n")

    def node(self, name: str, label=None, **attrs) -> None:
        if label is not None:
            attrs = {"label": label, **attrs}
        self._emit(f"{name} [{_attrs(attrs)}]" if attrs else name)

    def edge(self, tail: str, head: str, **attrs) -> None:
        self._emit(f"{tail} -> {head} [{_attrs(attrs)}]" if attrs else f"{tail} -> {head}")

    def attr(self, **attrs) -> None:
        self._emit(f"graph [{_attrs(attrs)}]")

    @contextmanager
    def subgraph(self, name: str | None = None):
        self._emit(f"subgraph {name} {{" if name else "{")
        yield DotWriter(self.name, _lines=self.lines, _depth=self.depth + 1)
        self._emit("}")

    def digraph(self) -> graphviz.Digraph:
        return graphviz.Digraph(self.name, graph_attr=self.graph_attr, node_attr=self.node_attr,
                                edge_attr=self.edge_attr, body=self.lines)
