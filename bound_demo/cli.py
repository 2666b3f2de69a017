"""Command line: `python -m bound_demo run FILE --pyo3 0.21 [--features ...] [--free-threaded] [--json]`,
`list`, `show NAME`, and `render` (frames, players, GIFs; see bound_demo.views.export)."""

from __future__ import annotations

import argparse
import json
import os
import sys

from . import run as run_program
from . import scenarios
from .text.tables import step_table


def _load(ref):
    """A program file, or the name of a scenario."""
    if os.path.exists(ref) or ref.lstrip().startswith("{"):
        return ref
    if ref in scenarios.names():
        return scenarios.get(ref)
    raise ValueError(f"{ref!r} is neither a program file nor a scenario "
                     f"(`python -m bound_demo list` shows the scenarios)")


def _scenario_files(argv):
    """Let `render` take a scenario name wherever it takes a program file."""
    import tempfile
    out = []
    for a in argv:
        if not a.startswith("-") and not os.path.exists(a) and a in scenarios.names():
            f = tempfile.NamedTemporaryFile("w", suffix=f"-{a}.json", delete=False)
            json.dump(scenarios.get(a), f)
            f.close()
            a = f.name
        out.append(a)
    return out


def _split(values):
    out = []
    for v in values or ():
        out.extend(x for x in v.split(",") if x)
    return tuple(out)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bound_demo",
                                 description="Run PyO3 memory programs through the bound_demo model.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run a program file or scenario and print its steps")
    r.add_argument("program")
    r.add_argument("--pyo3", default=None, help="release line, 0.20 … 0.29")
    r.add_argument("--features", action="append", help="gil-refs, py-clone (comma-separated)")
    r.add_argument("--cfg", action="append", help="pyo3_disable_reference_pool, ...")
    r.add_argument("--free-threaded", action="store_true",
                   help="model that release built for a free-threaded Python (0.23+)")
    r.add_argument("--json", action="store_true", help="print the trace as JSON (bound_demo.trace/1)")
    sub.add_parser("list", help="list the scenario library")
    s = sub.add_parser("show", help="print a scenario's Rust and program")
    s.add_argument("name")
    sub.add_parser("render", help="render frames, a player or a GIF (see render --help)",
                   add_help=False)
    args, rest = ap.parse_known_args(argv)
    try:
        if args.cmd == "render":
            from .views.export import main as render_main
            return render_main(_scenario_files(rest))
        if rest:
            ap.error(f"unrecognised arguments: {' '.join(rest)}")
        if args.cmd == "list":
            for n in scenarios.names():
                p = scenarios.get(n)
                print(f"{n:30} {', '.join(p.get('releases', [])):32} {p.get('title', '')}")
            return 0
        if args.cmd == "show":
            p = scenarios.get(args.name)
            print(f"# {p.get('title', args.name)}\n\n{p.get('about', '')}\n")
            print(p.get("rust", ""))
            print(json.dumps({k: v for k, v in p.items() if k != "rust"}, indent=1))
            return 0
        prog = _load(args.program)
        pyo3 = args.pyo3
        feats, cfg = _split(args.features), _split(args.cfg)
        if pyo3 is None:
            if isinstance(prog, dict) and prog.get("releases"):
                pyo3, f, c = scenarios.releases(args.program)[0]
                feats, cfg = feats or f, cfg or c
            else:
                pyo3 = "0.29"
        trace = run_program(prog, pyo3=pyo3, features=feats, cfg=cfg, free_threaded=args.free_threaded)
        print(trace.to_json(indent=1) if args.json else step_table(trace))
        return 0
    except (ValueError, KeyError) as e:
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"bound_demo: {msg}", file=sys.stderr)
        return 2
