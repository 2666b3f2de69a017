"""Command line: `python -m bound_demo run FILE --pyo3 0.21 [--features ...] [--free-threaded]
[--json] [--steps A:B]`, `list`, `show NAME`, and `render` (frames, players, GIFs; see
bound_demo.views.export).

Every mistake a user can make (a malformed program, an unreadable file, an output path that
cannot be written, an option out of range) ends the command with one line on stderr and exit
status 2. Anything else is a bug of bound_demo: the command says so, where to report it, and
exits with status 1. Output files are overwritten, as `dot -o`, `cp` or `gcc -o` do; each is
written to a temporary file beside it first, so a failed write never leaves half a file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from . import run as run_program
from . import scenarios
from . import budget
from .text.tables import clean, step_table
from .versions import DEFAULT_RELEASE, RELEASES

REPORT_URL = "https://github.com/bound-demo/bound_demo/issues"


class UserError(ValueError):
    """A mistake in what the user asked for; the message says what to change."""


class Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line and exit status 2 (not a usage block)."""

    def error(self, message):
        raise UserError(f"{message} (see `{self.prog} --help`)")


def resolve(ref):
    """(program, scenario name or None) for a program file, JSON text or scenario name."""
    if not isinstance(ref, str):
        raise UserError("expected a program file or a scenario name")
    if ref.lstrip().startswith("{") or os.path.exists(ref):
        return ref, None
    if ref in scenarios.names():
        return scenarios.get(ref), ref
    raise UserError(f"{ref!r} is neither a program file nor a scenario "
                    f"(`python -m bound_demo list` shows the scenarios)")


def settings(scenario, pyo3, features, cfg):
    """The release, features and cfg flags a run uses: what was asked for; for a scenario
    without --pyo3, the first release it is meant for; otherwise the newest release. `run`
    and `render` both go through here, so one scenario means the same run in both."""
    if pyo3 is None and scenario is not None:
        runs = scenarios.releases(scenario)
        if runs:
            pyo3, f, c = runs[0]
            return pyo3, tuple(features) or tuple(f), tuple(cfg) or tuple(c)
    return pyo3 or DEFAULT_RELEASE, tuple(features), tuple(cfg)


def split(values):
    out = []
    for v in values or ():
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return tuple(out)


def _parser():
    ap = Parser(prog="python -m bound_demo",
                description="Run PyO3 memory programs through the bound_demo model.")
    sub = ap.add_subparsers(dest="cmd", required=True, parser_class=Parser)
    r = sub.add_parser("run", help="run a program file or scenario and print its steps")
    r.add_argument("program")
    r.add_argument("--pyo3", default=None,
                   help=f"release line, {RELEASES[0]} … {RELEASES[-1]} (default: a scenario's first "
                        f"release, else {DEFAULT_RELEASE})")
    r.add_argument("--features", action="append", help="gil-refs, py-clone (comma-separated)")
    r.add_argument("--cfg", action="append", help="pyo3_disable_reference_pool, ...")
    r.add_argument("--free-threaded", action="store_true",
                   help="model that release built for a free-threaded Python (0.23+)")
    r.add_argument("--json", action="store_true", help="print the trace as JSON (bound_demo.trace/1)")
    r.add_argument("--steps", metavar="A:B", help="only steps A … B-1 (0-based, as the # column; "
                   "either end may be left out); needed for traces over the output caps")
    sub.add_parser("list", help="list the scenario library")
    s = sub.add_parser("show", help="print a scenario's Rust and program")
    s.add_argument("name")
    sub.add_parser("render", help="render frames, a player or a GIF (see render --help)",
                   add_help=False)
    return ap


def main(argv=None):
    return guarded(_main, argv, "bound_demo")


def guarded(fn, argv, who):
    """Run a command: a user error is one line and status 2; anything else is our bug."""
    try:
        return fn(argv)
    except SystemExit as e:  # --help, and argparse's own exits
        return e.code if isinstance(e.code, int) else 2
    except (ValueError, KeyError, OSError) as e:
        print(f"{who}: {user_message(e)}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"{who}: internal error: out of memory, which an input under the documented caps "
              f"should never cause; please report it at {REPORT_URL}", file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - the last line of defence: say it is our bug
        print(f"{who}: internal error ({type(e).__name__}: {clean(' '.join(str(e).split()))[:300]}); "
              f"this is a bug in bound_demo, please report it at {REPORT_URL} with the "
              "command and its input", file=sys.stderr)
        return 1


def user_message(e):
    """One line for a user error, whatever its type."""
    if isinstance(e, KeyError) and e.args:
        text = str(e.args[0])
    elif isinstance(e, OSError) and e.strerror:
        where = f" {e.filename!r}" if e.filename else ""
        text = f"{e.strerror}{where}"
    else:
        text = str(e)
    return clean(" ".join(text.split()))


def _main(argv):
    ap = _parser()
    args, rest = ap.parse_known_args(argv)
    if args.cmd == "render":
        from .views.export import main as render_main
        return render_main(rest)
    if rest:
        ap.error(f"unrecognised arguments: {' '.join(rest)}")
    return _COMMANDS[args.cmd](args)


def _list(args):
    for n in scenarios.names():
        p = scenarios.get(n)
        print(f"{n:30} {', '.join(p.get('releases', [])):32} {p.get('title', '')}")
    return 0


def _show(args):
    p = scenarios.get(args.name)
    print(f"# {p.get('title', args.name)}\n\n{p.get('about', '')}\n")
    print(p.get("rust", ""))
    print(json.dumps({k: v for k, v in p.items() if k != "rust"}, indent=1))
    return 0


def _run(args):
    prog, scenario = resolve(args.program)
    pyo3, feats, cfg = settings(scenario, args.pyo3, split(args.features), split(args.cfg))
    trace = run_program(prog, pyo3=pyo3, features=feats, cfg=cfg, free_threaded=args.free_threaded)
    lo, hi = budget.step_range(args.steps, len(trace.steps))
    if args.json:
        budget.check_json(trace, lo, hi)
        budget.write_json(trace, sys.stdout, lo, hi)
    else:
        budget.check_table(lo, hi)
        sys.stdout.write(step_table(trace, steps=(lo, hi)) + "\n")
    return 0


# The subcommands parsed here (render hands its own arguments to views.export).
_COMMANDS = {"list": _list, "show": _show, "run": _run}
