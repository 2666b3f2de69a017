"""The live player in a real Jupyter kernel (nbclient): it appears as a widget and a
later cell can drive it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import EXAMPLE, need_tool, real_run

ROOT = Path(__file__).resolve().parents[2]


def _cells():
    return [
        "from bound_demo.views.live import LivePlayer\n"
        f"prog = {json.dumps(EXAMPLE)}\n"
        "p = LivePlayer(prog, pyo3='0.20', background=False)\n"
        "p",
        "p.next(); p.next()\n"
        "print('STEP', p.step, p.steps)\n"
        "print('SVG', '<svg' in p.svg)",
        "before = p.svg\n"
        "p.last()\n"
        "print('CHANGED', p.svg != before, p.step == p.steps - 1)",
        "p.release.value = '0.23'\n"
        "print('RELEASE', p.traces[0].pyo3, p.steps)",
        "p.other.value = '0.21'\n"
        "print('PANES', len(p._panes_box.children))",
        "from bound_demo.views import show\n"
        "print('SHOW', type(show(prog, pyo3='0.20')).__name__, type(show(prog, pyo3='0.20', static=True)).__name__)",
    ]


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")


def test_live_player_in_a_kernel(tmp_path):
    need_tool("dot")
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in _cells()]
    client = NotebookClient(nb, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    shown = nb.cells[0].outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in shown), shown
    step_line = _text(nb.cells[1])
    assert "STEP 2 " in step_line and "SVG True" in step_line
    assert "CHANGED True True" in _text(nb.cells[2])
    assert "RELEASE 0.23" in _text(nb.cells[3])
    assert "PANES 2" in _text(nb.cells[4])
    assert "SHOW LivePlayer HTML" in _text(nb.cells[5])
