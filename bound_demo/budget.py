"""Output caps: how much a command may print or render, checked before it starts.

A program under the caps of `program.py` runs in bounded time and memory, but what the
commands make of its trace can still be far larger: every step of `run --json` carries the
whole state, and every frame of a render is a Graphviz layout. The caps below (listed in the
Caps section of docs/reference/program-format.md) bound that output; a trace over one of them
is refused with an error that names the `--steps A:B` option, which narrows the output to a
range of steps.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile

MAX_TABLE_ROWS = 200_000  # steps in one step table (`run`)
MAX_JSON_STEPS = 20_000  # steps in one `run --json`
MAX_JSON_OUTPUT = 64 * 1024 * 1024  # bytes of one `run --json`
MAX_FRAMES = 1_000  # frames in one render (--html, --svg); about 20 ms of CPU each
# Frames in one GIF: each is a PNG from `dot` (about 30 ms of CPU), then padded and quantised;
# 300 frames at the default delay already play for six minutes.
MAX_GIF_FRAMES = 300
MAX_FRAME_DOT = 128 * 1024  # bytes of Graphviz source for one frame (about 50 threads)
MAX_RENDER_DOT = 16 * 1024 * 1024  # bytes of Graphviz source for a whole render
MAX_GIF_PIXELS = 4_000_000  # pixels of a GIF's canvas (width times height)
# Pixels of all a GIF's frames (frames times canvas): Graphviz draws a PNG at about 25 Mpx
# per CPU second, and each frame is then padded and quantised (about 12 s of CPU at this cap, with the PNGs from `dot`).
MAX_GIF_TOTAL_PIXELS = 200_000_000


class OutputError(ValueError):
    """Output over a cap; the message names the cap and how to narrow the output."""


def _narrow(n):
    return f"choose a range of steps with --steps A:B (this trace has {n:,} steps)"


def step_range(spec, n):
    """(lo, hi) for a `--steps A:B` value: 0-based step indices, B excluded; None is all."""
    if spec is None:
        return 0, n
    text = str(spec)
    a, sep, b = text.partition(":")
    if not sep:
        raise OutputError(f"--steps {text!r}: expected A:B (for example 0:100, 250: or :50)")
    lo, hi = _end(a, 0, text), _end(b, n, text)
    if not 0 <= lo < hi <= n:
        raise OutputError(f"--steps {text!r}: need 0 <= A < B <= {n:,} (this trace has {n:,} steps)")
    return lo, hi


def _end(part, default, text):
    """One end of `--steps A:B`: a whole number, or `default` when left out."""
    if not part.strip():
        return default
    try:
        return int(part)
    except ValueError:
        raise OutputError(f"--steps {text!r}: A and B must be whole numbers") from None


def check_table(lo, hi):
    if hi - lo > MAX_TABLE_ROWS:
        raise OutputError(f"a step table of {hi - lo:,} rows is over the cap of {MAX_TABLE_ROWS:,}: "
                          + _narrow(hi - lo))


def _head(trace, lo, hi):
    """The trace's JSON without its steps (those are streamed one at a time)."""
    d = {"format": None, "pyo3": trace.pyo3, "features": list(trace.features),
         "cfg": list(trace.cfg), "program": dict(trace.program),
         "error": trace.error.to_dict() if trace.error else None, "labels": trace.labels}
    from .trace import TRACE_FORMAT
    d["format"] = TRACE_FORMAT
    if (lo, hi) != (0, len(trace.steps)):
        d["steps_from"] = lo  # a part of a trace: its first step's index
    return d


def _dumps(obj, indent):
    # allow_nan=False: a NaN that got past the program checks must never reach the output
    # as the non-standard `NaN` token.
    return json.dumps(obj, indent=indent, ensure_ascii=False, allow_nan=False)


def _step_texts(trace, lo, hi, indent):
    """Each step's JSON, as `Step.to_dict` has it, with the states from one forward pass
    (`iter_states`) rather than a replay from a checkpoint per step."""
    pad = " " * (2 * indent)
    steps = trace.steps
    for i, st in trace.iter_states(lo, hi):
        s = steps[i]
        d = {"index": s.index, "event": s.event, "op_path": s.op_path, "line": s.line,
             "rust": s.rust, "caption": s.caption, "notes": s.notes, "touched": s.touched,
             "state": st.to_dict()}
        yield "\n".join(pad + line for line in _dumps(d, indent).split("\n"))


def check_json(trace, lo, hi):
    """Refuse a `--json` of too many steps before any work."""
    if hi - lo > MAX_JSON_STEPS:
        raise OutputError(f"--json of {hi - lo:,} steps is over the cap of {MAX_JSON_STEPS:,} steps "
                          "(each step carries the whole state): " + _narrow(len(trace.steps)))


def write_json(trace, out, lo, hi, indent=1):
    """Write a trace (or steps lo … hi-1 of it) as JSON, byte for byte what
    `trace.to_json(indent=1)` gives for the whole trace. The steps are serialised one at a time
    into a temporary file, counting bytes: over MAX_JSON_OUTPUT, nothing has been written to
    `out` when the error is raised."""
    head = _head(trace, lo, hi)
    head["steps"] = None
    head["final"] = None
    text = _dumps(head, indent)
    before, after = text.split('"steps": null', 1)
    after, end = after.split('"final": null', 1)
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        total = 0
        spool.write(before + '"steps": [\n')
        for k, step_text in enumerate(_step_texts(trace, lo, hi, indent)):
            total += len(step_text.encode("utf-8"))
            if total > MAX_JSON_OUTPUT:
                raise OutputError(f"--json of steps {lo}:{hi} would be over the cap of "
                                  f"{MAX_JSON_OUTPUT // 2**20} MiB: " + _narrow(len(trace.steps)))
            spool.write((",\n" if k else "") + step_text)
        final = "\n".join((" " * indent if n else "") + line
                          for n, line in enumerate(_dumps(trace.final.to_dict(), indent).split("\n")))
        spool.write(f"\n{' ' * indent}]{after}\"final\": {final}{end}\n")
        spool.seek(0)
        shutil.copyfileobj(spool, out)


def check_frames(n, total, cap=None, what="a render"):
    """Refuse a render of n frames over the frame cap (`total`: the trace's step count;
    `cap`: MAX_FRAMES unless given)."""
    cap = MAX_FRAMES if cap is None else cap
    if n > cap:
        raise OutputError(f"{what} of {n:,} frames is over the cap of {cap:,}: " + _narrow(total))


def check_dot(sizes, total_steps):
    """Refuse a render whose Graphviz sources (their sizes, in order) are over the caps."""
    whole = 0
    for k, size in enumerate(sizes):
        if size > MAX_FRAME_DOT:
            raise OutputError(f"frame {k + 1} would need {size:,} bytes of Graphviz source, over the cap "
                              f"of {MAX_FRAME_DOT:,} per frame (too many threads, objects or handles "
                              "to draw): render a smaller program, or " + _narrow(total_steps))
        whole += size
        if whole > MAX_RENDER_DOT:
            raise OutputError(f"the frames would need over {MAX_RENDER_DOT // 2**20} MiB of Graphviz "
                              "source in all, over the cap: " + _narrow(total_steps))


# ---- output files -------------------------------------------------------------------------
def check_output(path, *, directory=False):
    """Refuse an output path that cannot be written, before any work is done."""
    if not path:
        raise OutputError("the output path is empty")
    target = (_directory_target if directory else _file_target)(path, os.path.abspath(path))
    if not os.path.isdir(target):
        raise OutputError(f"the directory {os.path.dirname(path) or target!r} does not exist")
    if not os.access(target, os.W_OK | os.X_OK):
        raise OutputError(f"the directory {target!r} is not writable")


def _directory_target(path, full):
    """Where --svg writes: the directory itself when it exists, else its parent (it is made)."""
    if os.path.exists(full) and not os.path.isdir(full):
        raise OutputError(f"{path!r} exists and is not a directory (--svg writes one file per step into a directory)")
    return full if os.path.isdir(full) else os.path.dirname(full)


def _file_target(path, full):
    """The directory an output file is written into."""
    if os.path.isdir(full):
        raise OutputError(f"{path!r} is a directory: give a file name")
    return os.path.dirname(full)


def temp_beside(full):
    """A new temporary file in the directory of ``full``, as (fd, path), with the mode any
    file the user writes gets: mkstemp makes it 0600, which os.replace would carry over to
    the output, so it is reset to 0666 less the umask."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(full), prefix=".bd-", suffix=".part")
    mask = os.umask(0)  # the only portable way to read the umask is to set it and put it back
    os.umask(mask)
    os.fchmod(fd, 0o666 & ~mask)
    return fd, tmp


def write_atomic(path, data):
    """Write text or bytes to path via a temporary file beside it: a full disk or another
    failure leaves the old file (or none), never half a file."""
    full = os.path.abspath(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if os.path.exists(full) and not os.path.isfile(full):
        # A device or a pipe (/dev/stdout, /dev/null): write into it, never replace it.
        with open(full, "wb") as fh:
            fh.write(payload)
        return
    _replace(full, payload)


def _replace(full, payload):
    """Write a temporary file beside `full`, then move it over `full`; on any failure (or an
    interrupt) the temporary file is removed, if it can be, and the failure goes on."""
    fd, tmp = temp_beside(full)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, full)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
