"""The model's side of the #1056 curve: how many objects bound_demo says the GILPool holds.

The simulator (``bound_demo.run``) is built by the project lead; until it exists this hook records
why there is no model curve instead of failing the benchmark. Each point runs in a child process
with a time limit, because a step-by-step trace of 10^6 iterations may be too slow to wait for.

Usage as a child: python -m bound_demo.bench_real.model N  -> prints {"n": N, "owned": len}
"""
import json
import subprocess
import sys
import time


def program(n):
    """Issue #1056's loop in the program format: N GIL-ref objects created in one with_gil."""
    return {
        "format": "bound_demo.program/1",
        "ops": [{"op": "with_gil", "body": [
            {"op": "repeat", "times": n,
             "body": [{"op": "new", "as": "hello", "type": "object", "api": "gil_ref"}]},
            {"op": "probe", "label": "end"},
        ]}],
    }


def owned_at_end(n, pyo3="0.20"):
    import bound_demo  # imported here: its absence must not break the real measurements
    trace = bound_demo.run(program(n), pyo3=pyo3)
    return len(trace.at("end").threads["main"].owned)


def available():
    """(True, None) when bound_demo.run exists, else (False, reason)."""
    try:
        import bound_demo
    except Exception as exc:  # any import failure means: no model to compare with
        return False, f"bound_demo does not import: {exc!r}"
    if not callable(getattr(bound_demo, "run", None)):
        return False, "bound_demo.run is not there yet (the model is still being written)"
    return True, None


def curve(points, timeout_s, pyo3="0.20"):
    """Pool length at probe 'end' for each N; stops at the first point that fails or times out."""
    ok, reason = available()
    if not ok:
        return {"status": "unavailable", "reason": reason, "pyo3": pyo3, "points": []}
    out = []
    for n in points:
        t0 = time.monotonic()
        try:
            proc = subprocess.run([sys.executable, "-m", __name__, str(n), pyo3],
                                  capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return {"status": "partial", "reason": f"N={n} took over {timeout_s}s",
                    "pyo3": pyo3, "points": out}
        if proc.returncode != 0:
            return {"status": "partial" if out else "error", "pyo3": pyo3, "points": out,
                    "reason": f"N={n}: " + (proc.stderr.strip().splitlines() or ["?"])[-1]}
        point = json.loads(proc.stdout)
        point["seconds"] = round(time.monotonic() - t0, 2)
        out.append(point)
    return {"status": "ok", "reason": None, "pyo3": pyo3, "points": out}


if __name__ == "__main__":
    n = int(sys.argv[1])
    print(json.dumps({"n": n, "owned": owned_at_end(n, *sys.argv[2:3])}))
