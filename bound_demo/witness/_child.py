"""Child-process runs of witness programs: the one place that starts, feeds and reads them.

Two kinds of witness build run in a child process rather than in this one. Builds compiled
with ``--cfg pyo3_disable_reference_pool`` abort when a ``Py<T>`` is dropped without the GIL,
and the free-threaded build (``ft.py``) needs an interpreter other than the one running
bound_demo. Either way a long-lived child takes one program per stdin line and streams what
it does, so that when it aborts or hangs, what came before (probes, the op that was running,
the panic messages) is kept. `Child` is that process; `serve` runs one program in it and says
how the run ended; the callers turn an abort or a timeout into their own error kinds.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

# The child process runs programs one per stdin line. Each program streams "O <op path>"
# before every op and "P <probe>" at every probe, then "R <result>" at the end, so an abort
# keeps what came before. `{hello}` is a first line the caller may ask for (see `Child`).
_SERVER = (
    "import gc, sys, json, importlib\n"
    "gc.disable()\n"
    "m = importlib.import_module(sys.argv[1])\n"
    "{hello}"
    "for line in sys.stdin:\n"
    "    req = json.loads(line)\n"
    "    try:\n"
    "        r = m.run(req['program'], True, req['py_clone'])\n"
    "    except ValueError as e:\n"
    "        r = json.dumps({{'value_error': str(e)}})\n"
    "    sys.stdout.write('R ' + r + '\\n')\n"
    "    sys.stdout.flush()\n"
)


def _pump(stream, sink):
    """Copy a stream's lines into `sink`, then None to say the stream ended."""
    for line in stream:
        sink(line.rstrip("\n"))
    sink(None)


class Child:
    """One long-lived child process serving programs of one witness module.

    `python` is the interpreter to start, `env` extra environment variables, and `hello` one
    line of Python that the child runs after importing the module, to write a first line
    (read with `first_line`) before it serves programs."""

    def __init__(self, module: str, python: str = sys.executable, env: dict | None = None,
                 hello: str = ""):
        self.module = module
        self.proc = subprocess.Popen(
            [python, "-c", _SERVER.format(hello=hello), module], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
            env=dict(os.environ, RUST_BACKTRACE="0", **(env or {})))
        self.lines: queue.Queue = queue.Queue()
        self.err: list[str] = []
        threading.Thread(target=_pump, args=(self.proc.stdout, self.lines.put), daemon=True).start()
        self.err_pump = threading.Thread(target=_pump, args=(self.proc.stderr, self.err.append),
                                         daemon=True)
        self.err_pump.start()

    def first_line(self, timeout: float):
        """The first line the child wrote (None if it ended first)."""
        return self.lines.get(timeout=timeout)

    def stderr_lines(self) -> list[str]:
        """What the child wrote to stderr, once it has ended."""
        self.err_pump.join(timeout=2)  # the last stderr lines name an abort
        return [ln for ln in self.err if ln is not None]

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self):
        if self.alive():
            self.proc.kill()
        self.proc.wait()


@dataclass
class Served:
    """How one program's run in a child ended: `how` is "result" (`raw` holds it), "timeout"
    (the child was killed) or "ended" (the process ended by itself, `code` is its exit code).
    `probes` and `ops` are what the child streamed before that."""
    how: str
    probes: list = field(default_factory=list)
    ops: list = field(default_factory=list)
    raw: dict | None = None
    code: int | None = None

    @property
    def op_path(self):
        """The op that was running when the run stopped."""
        return self.ops[-1] if self.ops else None


def _result(served: Served, rest: str) -> bool:
    raw = json.loads(rest)
    if "value_error" in raw:
        raise ValueError(raw["value_error"])
    served.raw = raw
    return True


# What each streamed line does to the run's record; True ends the run.
_LINES = {
    "P ": lambda served, rest: served.probes.append(json.loads(rest)),
    "O ": lambda served, rest: served.ops.append(rest),
    "R ": _result,
}


def _next_line(child: Child, deadline: float):
    """The child's next line, None when its output ended, or "" when the deadline passed."""
    try:
        return child.lines.get(timeout=max(0.0, deadline - time.monotonic()))
    except queue.Empty:
        return ""


def serve(child: Child, program: dict, py_clone: bool, timeout: float) -> Served:
    """Run one program in `child`; a child that timed out is killed, one that ended waited for.
    A program the witness refuses raises its ValueError here."""
    request = {"program": json.dumps(program), "py_clone": py_clone}
    child.proc.stdin.write(json.dumps(request) + "\n")
    child.proc.stdin.flush()
    served, deadline = Served("result"), time.monotonic() + timeout
    while True:
        line = _next_line(child, deadline)
        if line == "":
            child.kill()
            served.how = "timeout"
            return served
        if line is None:
            served.how, served.code = "ended", child.proc.wait()
            return served
        handle = _LINES.get(line[:2])
        if handle is not None and handle(served, line[2:]) is True:
            return served


_children: dict[str, Child] = {}


def _module_child(module: str) -> Child:
    child = _children.get(module)
    if child is None or not child.alive():
        # BD_WITNESS_DEBUG keeps Rust's panic message, which names why the process aborts.
        child = _children[module] = Child(module, env={"BD_WITNESS_DEBUG": "1"})
    child.err.clear()
    return child


def _abort_message(code: int, err: list[str]) -> str:
    """The panic messages (the line after each "panicked at") and the final abort line."""
    why = [err[i + 1].strip() for i, ln in enumerate(err[:-1]) if "panicked at" in ln]
    why += [ln.strip() for ln in err if "abort" in ln.lower() and "panicked at" not in ln]
    return f"process ended with code {code}: " + " | ".join(dict.fromkeys(why))


def run_child(module: str, text: str, py_clone: bool, timeout: float) -> dict:
    """Run one program in the module's child process; returns the raw result (probes, error)."""
    child = _module_child(module)
    served = serve(child, json.loads(text), py_clone, timeout)
    if served.how == "result":
        return served.raw
    del _children[module]
    if served.how == "timeout":
        error = {"kind": "deadlock", "message": f"the program did not finish within {timeout}s"}
    else:
        error = {"kind": "abort", "message": _abort_message(served.code, child.stderr_lines())}
    return {"probes": served.probes, "error": {"kind": error["kind"], "op_path": served.op_path,
                                               "message": error["message"]}}
