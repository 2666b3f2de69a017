"""The scenario library: named programs for the canonical situations, each with its Rust.

Each scenario is a program file (`<name>.json`, format `bound_demo.program/1`) with extra
keys the format allows: `title`, `about`, `rust` (the Rust the ops stand for; each op's
`line` points into it), `releases` (the releases it is meant to be compared across, written
`0.22+gil-refs` where a feature is needed) and optionally `features` / `cfg`.
"""

from __future__ import annotations

import json
from importlib import resources

from ..versions import FEATURES, cfg_exists


def names():
    """All scenario names, sorted."""
    return sorted(p.name[:-5] for p in resources.files(__package__).iterdir()
                  if p.name.endswith(".json"))


def get(name, times=None):
    """The program dict of a scenario (a fresh copy); `times` sets its first loop's count."""
    path = resources.files(__package__) / f"{name}.json"
    if not path.is_file():
        raise KeyError(f"no scenario {name!r}; known: {', '.join(names())}")
    prog = json.loads(path.read_text(encoding="utf-8"))
    return prog if times is None else with_times(prog, times)


def with_times(prog, times):
    """The program with its first `repeat` (in program order, depth first) set to `times`."""
    def walk(ops):
        for op in ops:
            if op.get("op") == "repeat":
                op["times"] = times
                return True
            if walk(op.get("body", [])):
                return True
        return False

    if not walk(prog["ops"]):
        raise ValueError("the program has no `repeat` whose count `times` could set")
    return prog


def records(list_api="bound", rec_api="bound", n=3):
    """Notebook 6's `#[pyfunction] fn records`: a list of `n` new objects, returned to Python.
    `list_api` and `rec_api` are "gil_ref" or "bound", one migration stage each."""
    return {"format": "bound_demo.program/1", "ops": [
        {"op": "pyfunction", "name": "records", "as": "result", "body": [
            {"op": "new", "as": "out", "type": "list", "api": list_api},
            {"op": "repeat", "times": n, "body": [
                {"op": "new", "as": "rec", "type": "object", "api": rec_api},
                {"op": "append", "src": "out", "item": "rec"},
                {"op": "probe", "label": "appended"}]},
            {"op": "probe", "label": "before_return"},
            {"op": "return", "src": "out"}]},
        {"op": "probe", "label": "returned"}]}


def releases(name):
    """(pyo3, features, cfg) runs the scenario is meant for, from its `releases` list."""
    prog = get(name)
    return [_release_run(spec, prog) for spec in prog.get("releases", [])]


def _release_run(spec, prog) -> tuple:
    """(pyo3, features, cfg) of one `releases` entry such as "0.22+gil-refs": the features it
    names, then the program's own, and its cfg flags, each kept only where that release has it."""
    pyo3, *named = spec.split("+")
    feats = _features_of(pyo3, named)
    feats += [f for f in _features_of(pyo3, dict.fromkeys(prog.get("features", [])))
              if f not in feats]
    cfg = [c for c in prog.get("cfg", []) if cfg_exists(c, pyo3)]
    return pyo3, tuple(feats), tuple(cfg)


def _features_of(pyo3, names):
    """The features among `names` that release `pyo3` has, in their order."""
    return [f for f in names if pyo3 in FEATURES.get(f, ())]


def run(name, pyo3=None, features=None, cfg=None):
    """Run a scenario; by default under the first release it lists."""
    from ..model import run as _run
    if pyo3 is None:
        pyo3, f, c = releases(name)[0]
        features = f if features is None else features
        cfg = c if cfg is None else cfg
    return _run(get(name), pyo3=pyo3, features=features or (), cfg=cfg or ())
