"""Turning DOT into SVG (or PNG), one `dot` process per graph, with a cache keyed by DOT source.

Each graph gets a `dot` process of its own, a few at a time. Graphviz (2.43, and the
releases around it) lays out the second and later graphs of one input differently from run
to run: the order in which it keeps their clusters changes, and with it the emitted order and
even the edges' routes (of 265 frames of the scenario library, 34 still differed between two
batched runs after putting the clusters in a fixed order). The first graph of a process is
laid out the same way every time, so one graph per process makes every frame reproducible:
the same DOT gives the same bytes. A process costs about 20 ms of CPU more than a graph in
a batch. Identical frames (a probe, a step that changes nothing visible) are rendered once
thanks to the cache.
"""
from __future__ import annotations

from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
import hashlib
import os
import re
import shutil
import subprocess
import sys
import threading


class GraphvizMissing(RuntimeError):
    """The `dot` program is not installed (it comes from the OS, not from PyPI)."""


_cache: "OrderedDict[tuple, bytes | str]" = OrderedDict()  # (format, digest of DOT) -> document
_lock = threading.Lock()
CACHE_SIZE = 512  # documents
# Bytes of documents kept: a bound of its own, so that a long render (whose frames mostly
# differ) holds a few MB of finished frames, not every frame it has made.
CACHE_BYTES = 16 * 1024 * 1024
_cached_bytes = [0]


def dot_binary() -> str:
    path = shutil.which("dot")
    if not path:
        raise GraphvizMissing("Graphviz `dot` not found: install the Debian/Ubuntu package "
                              "`graphviz` (apt-get install graphviz) or your OS's equivalent.")
    return path


def _source(g) -> str:
    return g if isinstance(g, str) else g.source


def render_svgs(graphs, *, workers: int | None = None, progress=None) -> list:
    """SVG text for each graph (a graphviz.Digraph or DOT source), in order."""
    return _render(graphs, "svg", workers, progress)


def render_pngs(graphs, *, workers: int | None = None, progress=None) -> list:
    """PNG bytes for each graph, in order."""
    return _render(graphs, "png", workers, progress)


def _key(fmt, src):
    """The cache key of a graph: its DOT's digest, not the DOT itself (which is larger)."""
    return fmt, hashlib.sha256(src.encode("utf-8")).digest()


def _store(key, doc) -> None:
    """Cache a document (the lock held), dropping the oldest ones over either bound."""
    if key not in _cache:
        _cached_bytes[0] += sys.getsizeof(doc)
    _cache[key] = doc
    while len(_cache) > CACHE_SIZE or (_cached_bytes[0] > CACHE_BYTES and len(_cache) > 1):
        _cached_bytes[0] -= sys.getsizeof(_cache.popitem(last=False)[1])


def _render(graphs, fmt, workers, progress):
    sources = [_source(g) for g in graphs]
    out: list = [None] * len(sources)
    todo = _from_cache(sources, fmt, out)
    if progress:
        progress(len(sources) - sum(len(v) for v in todo.values()))
    if todo:
        _render_missing(todo, fmt, workers or min(4, os.cpu_count() or 1), progress, out)
    return out


def _from_cache(sources, fmt, out) -> "OrderedDict[str, list]":
    """Fill ``out`` with the cached documents; return {source: [indices]} of the rest."""
    todo: "OrderedDict[str, list]" = OrderedDict()
    with _lock:
        for i, src in enumerate(sources):
            key = _key(fmt, src)
            hit = _cache.get(key)
            if hit is None:
                todo.setdefault(src, []).append(i)
                continue
            _cache.move_to_end(key)
            out[i] = hit
    return todo


def _render_missing(todo, fmt, n_workers, progress, out) -> None:
    """Run each distinct source through dot on a few threads and cache the documents."""
    exe = dot_binary()

    def run(src):
        doc = _run_dot(exe, src, fmt)
        if progress:
            progress(len(todo[src]))
        return src, doc

    with ThreadPoolExecutor(max_workers=max(1, min(n_workers, len(todo)))) as pool:
        for src, doc in pool.map(run, list(todo)):
            with _lock:
                _store(_key(fmt, src), doc)
                for i in todo[src]:
                    out[i] = doc


class RenderError(RuntimeError):
    """`dot` failed or took too long on a graph."""


DOT_TIMEOUT = 120  # seconds for one graph; frames under the render caps take well under one


def _run_dot(exe, source, fmt):
    """One graph through its own `dot` process (see the module docstring for why)."""
    try:
        proc = subprocess.run([exe, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True,
                              check=False, timeout=DOT_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise RenderError(f"dot took longer than {DOT_TIMEOUT} s on one frame") from None
    docs = _SPLIT[fmt](proc.stdout)
    if b"Error:" in proc.stderr or proc.returncode != 0 or len(docs) != 1:
        raise RenderError(f"dot failed: {proc.stderr.decode('utf-8', 'replace')[:2000]}")
    return docs[0]


_XML_START = re.compile(rb"(?=<\?xml )")


def _split_svg(blob: bytes) -> list:
    return [part.decode("utf-8") for part in _XML_START.split(blob) if part.strip()]


def _split_png(blob: bytes) -> list:
    """Cut a stream of concatenated PNG files at each IEND chunk."""
    docs, pos = [], 0
    sig = b"\x89PNG\r\n\x1a\n"
    while pos < len(blob):
        if blob[pos:pos + 8] != sig:
            break
        p = _png_end(blob, pos + 8)
        docs.append(blob[pos:p])
        pos = p
    return docs


def _png_end(blob: bytes, p: int) -> int:
    """Where the PNG whose first chunk starts at ``p`` ends: just after its IEND chunk."""
    while p + 8 <= len(blob):
        length = int.from_bytes(blob[p:p + 4], "big")
        kind = blob[p + 4:p + 8]
        p += 12 + length
        if kind == b"IEND":
            break
    return p


# How each output format's stream of documents is cut into one document per graph.
_SPLIT = {"svg": _split_svg, "png": _split_png}


def clear_cache() -> None:
    with _lock:
        _cache.clear()
        _cached_bytes[0] = 0
