"""Turning DOT into SVG (or PNG) in batches, with a cache keyed by DOT source.

Starting ``dot`` costs far more than laying out one small graph, so many graphs
go through one process: dot accepts a stream of graphs and writes one document
per graph, which we split again. Large batches are spread over a few processes
at once. Identical frames (a probe, a step that changes nothing visible) are
rendered once thanks to the cache.
"""
from __future__ import annotations

from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
import os
import re
import shutil
import subprocess
import threading


class GraphvizMissing(RuntimeError):
    """The `dot` program is not installed (it comes from the OS, not from PyPI)."""


_cache: "OrderedDict[tuple, bytes | str]" = OrderedDict()
_lock = threading.Lock()
CACHE_SIZE = 4096


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


def _render(graphs, fmt, workers, progress):
    sources = [_source(g) for g in graphs]
    out: list = [None] * len(sources)
    todo: "OrderedDict[str, list]" = OrderedDict()
    with _lock:
        for i, src in enumerate(sources):
            hit = _cache.get((fmt, src))
            if hit is not None:
                _cache.move_to_end((fmt, src))
                out[i] = hit
            else:
                todo.setdefault(src, []).append(i)
    if progress:
        progress(len(sources) - sum(len(v) for v in todo.values()))
    if todo:
        unique = list(todo)
        n_workers = workers or min(4, os.cpu_count() or 1)
        # Chunks of at least 8 graphs: below that, process start-up dominates.
        size = max(8, -(-len(unique) // n_workers))
        chunks = [unique[i:i + size] for i in range(0, len(unique), size)]
        exe = dot_binary()

        def run(chunk):
            docs = _run_dot(exe, chunk, fmt)
            if progress:
                progress(sum(len(todo[s]) for s in chunk))
            return chunk, docs

        with ThreadPoolExecutor(max_workers=max(1, min(n_workers, len(chunks)))) as pool:
            for chunk, docs in pool.map(run, chunks):
                with _lock:
                    for src, doc in zip(chunk, docs):
                        _cache[(fmt, src)] = doc
                        for i in todo[src]:
                            out[i] = doc
                    while len(_cache) > CACHE_SIZE:
                        _cache.popitem(last=False)
    return out


def _run_dot(exe, sources, fmt):
    data = "\n".join(sources).encode("utf-8")
    proc = subprocess.run([exe, f"-T{fmt}"], input=data, capture_output=True, check=False)
    docs = _split_svg(proc.stdout) if fmt == "svg" else _split_png(proc.stdout)
    failed = b"Error:" in proc.stderr or proc.returncode != 0
    if failed or len(docs) != len(sources):
        # One broken graph would misalign the whole batch: retry one by one so the
        # error names the graph that failed.
        if len(sources) == 1:
            raise RuntimeError(f"dot failed: {proc.stderr.decode('utf-8', 'replace')[:2000]}")
        return [d for s in sources for d in _run_dot(exe, [s], fmt)]
    return docs


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
        p = pos + 8
        while p + 8 <= len(blob):
            length = int.from_bytes(blob[p:p + 4], "big")
            kind = blob[p + 4:p + 8]
            p += 12 + length
            if kind == b"IEND":
                break
        docs.append(blob[pos:p])
        pos = p
    return docs


def clear_cache() -> None:
    with _lock:
        _cache.clear()
