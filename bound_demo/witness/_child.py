"""Child-process runs for witness builds that can abort the process.

Builds compiled with ``--cfg pyo3_disable_reference_pool`` abort when a ``Py<T>`` is dropped
without the GIL. Such a build runs in a long-lived child process that takes one program per
stdin line; after an abort, the next program starts a new child. What came before the abort
(probes, the op that was running, the panic messages) is kept.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time

# The child process runs programs one per stdin line until one aborts it; then a new child is
# started for the next program. Each program streams "O <op path>" before every op and
# "P <probe>" at every probe, then "R <result>" at the end, so an abort keeps what came before.
_SERVER = (
    "import gc, sys, json, importlib\n"
    "gc.disable()\n"
    "m = importlib.import_module(sys.argv[1])\n"
    "for line in sys.stdin:\n"
    "    req = json.loads(line)\n"
    "    try:\n"
    "        r = m.run(req['program'], True, req['py_clone'])\n"
    "    except ValueError as e:\n"
    "        r = json.dumps({'value_error': str(e)})\n"
    "    sys.stdout.write('R ' + r + '\\n')\n"
    "    sys.stdout.flush()\n"
)


class _Child:
    """One long-lived child process for an abort-capable build."""

    def __init__(self, module: str):
        # BD_WITNESS_DEBUG keeps Rust's panic message, which names why the process aborts.
        env = dict(os.environ, BD_WITNESS_DEBUG="1", RUST_BACKTRACE="0")
        self.proc = subprocess.Popen([sys.executable, "-c", _SERVER, module], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
                                     env=env)
        self.lines: queue.Queue = queue.Queue()
        self.err: list[str] = []
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines.put), daemon=True).start()
        self.err_pump = threading.Thread(target=self._pump, args=(self.proc.stderr, self.err.append), daemon=True)
        self.err_pump.start()

    @staticmethod
    def _pump(stream, sink):
        for line in stream:
            sink(line.rstrip("\n"))
        sink(None)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self):
        self.proc.kill()
        self.proc.wait()


_children: dict[str, _Child] = {}


def run_child(module: str, text: str, py_clone: bool, timeout: float) -> dict:
    """Run one program in the module's child process; returns the raw result (probes, error)."""
    child = _children.get(module)
    if child is None or not child.alive():
        child = _children[module] = _Child(module)
    child.err.clear()
    one_line = json.dumps(json.loads(text))
    child.proc.stdin.write(json.dumps({"program": one_line, "py_clone": py_clone}) + "\n")
    child.proc.stdin.flush()
    probes, ops, deadline = [], [], time.monotonic() + timeout
    while True:
        try:
            line = child.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            child.kill()
            del _children[module]
            return {"probes": probes, "error": {"kind": "deadlock", "op_path": ops[-1] if ops else None,
                                                "message": f"the program did not finish within {timeout}s"}}
        if line is None:  # the process ended: an abort
            break
        if line.startswith("P "):
            probes.append(json.loads(line[2:]))
        elif line.startswith("O "):
            ops.append(line[2:])
        elif line.startswith("R "):
            raw = json.loads(line[2:])
            if "value_error" in raw:
                raise ValueError(raw["value_error"])
            return raw
    code = child.proc.wait()
    del _children[module]
    child.err_pump.join(timeout=2)  # the last stderr lines name the abort
    # Keep the panic messages (the line after each "panicked at") and the final abort line.
    err = [ln for ln in child.err if ln is not None]
    why = [err[i + 1].strip() for i, ln in enumerate(err[:-1]) if "panicked at" in ln]
    why += [ln.strip() for ln in err if "abort" in ln.lower() and "panicked at" not in ln]
    message = f"process ended with code {code}: " + " | ".join(dict.fromkeys(why))
    return {"probes": probes, "error": {"kind": "abort", "op_path": ops[-1] if ops else None, "message": message}}
