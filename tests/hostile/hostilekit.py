"""Running the CLI as a hostile user would, under limits: each command gets an address-space
limit (`resource.setrlimit`) and a timeout, so a regression that makes a command eat memory
or time fails its test instead of taking the machine down or hanging the suite."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys

# Virtual memory, not resident: CPython and dot reserve more than they touch, so this sits
# above the ~2 GB a command may really use.
MEMORY_LIMIT = 3 * 1024**3
TIME_LIMIT = 120  # seconds for one command


def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def cli(*args, stdin=None, env=None, timeout=TIME_LIMIT, cwd=None):
    """`python -m bound_demo ARGS` in a subprocess under the memory and time limits."""
    full_env = dict(os.environ, **(env or {}))
    full_env.setdefault("COLUMNS", "120")
    return subprocess.run([sys.executable, "-m", "bound_demo", *map(str, args)], input=stdin,
                          capture_output=True, text=True, timeout=timeout, preexec_fn=_limit,
                          env=full_env, cwd=cwd)


def P(*ops, **top):
    """A program dict."""
    return {"format": "bound_demo.program/1", "ops": list(ops), **top}


def write(tmp_path, program, name="p.json"):
    f = tmp_path / name
    f.write_text(program if isinstance(program, str) else json.dumps(program), encoding="utf-8")
    return f


def assert_user_error(r, *fragments):
    """Exit status 2, one line on stderr naming the problem, no traceback."""
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    err = r.stderr.strip()
    assert "\n" not in err, err
    assert "Traceback" not in err and "internal error" not in err, err
    for f in fragments:
        assert f in err, (f, err)
    return err


def new(name, api="bound", type="object", **kw):
    return {"op": "new", "as": name, "type": type, "api": api, **kw}


def gil(*body):
    return {"op": "gil", "body": list(body)}


def repeat(times, *body):
    return {"op": "repeat", "times": times, "body": list(body)}
