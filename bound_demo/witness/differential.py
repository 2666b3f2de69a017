"""Model vs real PyO3, probe by probe.

`compare(program, pyo3, features, cfg)` runs a program through the model and through the
witness build for that release and returns `None` when they agree, or a `Mismatch` that
shows the program, both probe sequences and the first probe where they differ. They agree
when both stop with the same error kind (or neither errs; a model `hang` matches a witness
run that did not finish within `HANG_TIMEOUT_S`) and their probes carry the same
labels in the same order with the same refcount and liveness for every object the witness
can observe (CPython's shared empty tuple is not the program's and is skipped). For a live
`#[pyclass]` object they must also agree on its borrow flag and, for a declared class (issue 13),
on its fields (the edges it holds) and whether its type is GC-tracked; after a `gc_collect`, on
what `gc.collect()` returned, which objects it freed and whether a `__traverse__` panicked
(`class_view`, `gc_view`).

`python -m bound_demo.witness.differential [--random N] [--pyo3 X.Y ...] [--write FILE]` runs
every scenario on every available build (or only those of the named release lines) plus N
random valid programs per extension module, and writes a summary.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from dataclasses import dataclass

import bound_demo

from . import available_builds, run as witness_run
from ..format.fuzz import generate
from ..format.program import spell_for_release
from ..versions import profile


@dataclass
class Mismatch:
    program: dict
    build: tuple
    model: list
    real: list
    model_error: str | None
    real_error: str | None
    first: str

    def __str__(self):
        return (f"model and PyO3 {self.build} disagree: {self.first}\n"
                f"program: {json.dumps(self.program)}\n"
                f"model probes: {json.dumps(self.model)}\nmodel error: {self.model_error}\n"
                f"real probes:  {json.dumps(self.real)}\nreal error:  {self.real_error}")


def class_view(declared, fields, gc_tracked, borrow):
    """What is compared of a live pyclass object besides its refcount: None for an object of
    no declared class with no borrow held (everything before issue 13), else its borrow flag (a
    shared count or "exclusive") and, for a declared class, its fields and GC flag."""
    if not declared and not borrow:
        return None
    view = {"borrow": borrow or 0}
    if declared:
        view.update(fields=dict(fields or {}), gc_tracked=gc_tracked)
    return view


def gc_view(last_gc, traverse_panicked):
    """What is compared of the last collection (a dict or an object with these names): what
    `gc.collect()` returned, the ids it freed, and whether a `__traverse__` panicked during it
    (how often CPython calls a traverse is its own business; the texts per release are pinned
    by tests/witness/test_pyclass_witness.py)."""
    if last_gc is None:
        return None
    get = last_gc.get if isinstance(last_gc, dict) else (lambda k, d=None: getattr(last_gc, k, d))
    return {"returned": get("returned"), "freed": sorted(get("freed", ())),
            "traverse_panicked": bool(traverse_panicked)}


def _entry(refcount, alive, view):
    return [refcount, alive] if view is None or not alive else [refcount, alive, view]


def _probe(label, objects, last_gc, panicked):
    g = gc_view(last_gc, panicked)
    return [label, objects] if g is None else [label, objects, g]


def _model_object(o):
    view = class_view(getattr(o, "class", None) is not None, getattr(o, "fields", None),
                      getattr(o, "gc_tracked", None), getattr(o, "borrow", 0))
    return _entry(o.refcount, o.alive, view)


def _panicked_at_probes(trace):
    """For each probe step: whether the model's latest collection before it had a
    `traverse_panic` step (a collection's steps end with its `gc_collect` step)."""
    out, pending, last = {}, False, False
    for s in trace.steps:
        pending |= s.event == "traverse_panic"
        if s.event == "gc_collect":
            last, pending = pending, False
        elif s.event == "probe":
            out[s.index] = last
    return out


def model_probes(trace):
    out = []
    panicked = _panicked_at_probes(trace)
    for label, i in _probe_indices(trace):
        st = trace.state_at(i)
        objs = {k: _model_object(o) for k, o in st.objects.items()}
        out.append(_probe(label, objs, getattr(st, "last_gc", None), panicked.get(i, False)))
    return out


def _probe_indices(trace):
    return [(s.op.d["label"], s.index) for s in trace.steps if s.event == "probe"]


def _real_object(o):
    return _entry(o.refcount, o.alive, class_view(o.fields is not None, o.fields, o.gc_tracked, o.borrow))


def real_probes(result, subclassed=(), internals=0, collections=True):
    """The witness's probes as compared. `subclassed`: the ids of instances of a Python
    subclass (#6269's program); each one the collector freed took its type along, whose
    `internals` objects CPython's count includes and the model's does not. `collections=False`
    leaves the last collection out, as the model does for a program that declares no classes
    (concepts/gc.classes_mode): its collections are compared through the refcounts alone."""
    def gc_of(st):
        return st.last_gc if collections else None
    return [_probe(label, {k: _real_object(o) for k, o in st.objects.items() if not o.shared},
                   _without_types(gc_of(st), subclassed, internals),
                   bool(gc_of(st) and gc_of(st)["traverse_panics"]))
            for label, st in result.probes]


def _without_types(last_gc, subclassed, internals):
    if not last_gc or not subclassed:
        return last_gc
    types = sum(1 for o in last_gc["freed"] if o in subclassed)
    return {**last_gc, "returned": last_gc["returned"] - internals * types}


_INTERNALS: dict = {}


def type_internals(pyo3, features=(), cfg=()):
    """How many objects besides the instance `gc.collect()` counts when it frees an orphaned
    Python subclass type whose attribute holds its instance, measured once per build on a class
    without GC methods (freed on every release; 6 on CPython 3.11)."""
    key = (pyo3, tuple(features), tuple(cfg))
    if key not in _INTERNALS:
        prog = {"format": "bound_demo.program/1",
                "classes": {"Node": {"fields": [], "subclass_holds_instance": True}},
                "ops": [{"op": "gil", "body": [
                    {"op": "new", "as": "a", "type": "object", "api": "py", "class": "Node"},
                    {"op": "drop", "src": "a"}, {"op": "gc_collect"}, {"op": "probe", "label": "c"}]}]}
        _INTERNALS[key] = witness_run(prog, pyo3=pyo3, features=features, cfg=cfg).final.last_gc["returned"] - 1
    return _INTERNALS[key]


def _real_for(trace, program, real, build):
    """The real probes, with the subclass types' internals left out of the collections' counts."""
    sub = _subclassed(trace, program)
    return real_probes(real, sub, type_internals(*build) if sub else 0, "classes" in program)


def _subclassed(trace, program):
    """The ids of the trace's instances of a class declared with `subclass_holds_instance`."""
    classes = program.get("classes") or {}
    flagged = set(filter(lambda n: classes[n].get("subclass_holds_instance"), classes))
    objects = trace.final.objects if flagged and trace.final is not None else {}
    return {k for k, o in objects.items() if getattr(o, "cls", None) in flagged}


HANG_TIMEOUT_S = 3.0


def compare(program, pyo3, features=(), cfg=(), free_threaded=False):
    """The first disagreement between the model and the real build on one program, or None.
    `free_threaded=True`: the model's free-threaded build against the free-threaded witness
    (error kinds then include `hang`, which the witness detects with a timeout)."""
    return compare_kinds(program, pyo3, features, cfg, free_threaded)[0]


def compare_kinds(program, pyo3, features=(), cfg=(), free_threaded=False):
    """(mismatch or None, model error kind, real error kind) for one program.

    When both sides stop with `compile_error`, the real side did not ask rustc: the witness's
    interpreter (witness/shared/interp.rs) applies the same Rust rules the model does, so such an
    agreement checks the two rule implementations against each other, not against the compiler.
    Real rustc judges those rules in witness/compile_fail/ and in the site's compiled examples;
    the summary counts these cases separately so no one reads them as witnessed by PyO3."""
    trace = bound_demo.run(program, pyo3=pyo3, features=features, cfg=cfg, free_threaded=free_threaded)
    me = trace.error.kind if trace.error else None
    real = witness_run(spell_for_release(program, profile(pyo3, features, cfg)), pyo3=pyo3,
                       features=features, cfg=cfg, **_wait(me, free_threaded))
    m, r = model_probes(trace), _real_for(trace, program, real, (pyo3, features, cfg))
    re_ = real.error.kind if real.error else None
    if me == "hang" and re_ == "deadlock" and "did not finish" in (real.error.message or ""):
        re_ = "hang"
    if me == "deadlock" and re_ == "abort" and _unwound_deadlock(real.error.message):
        re_ = "deadlock"
    first = (f"error kinds differ: model {me}, real {re_}" if me != re_
             else first_difference(m, r))
    if first is None:
        return None, me, re_
    build = (pyo3, tuple(features), tuple(cfg)) + (("free-threaded",) if free_threaded else ())
    return (Mismatch(program, build, m, r,
                     trace.error and trace.error.message, real.error and real.error.message, first),
            me, re_)


def first_difference(m, r):
    """The first probe where the model's (m) and the real (r) refcounts and liveness differ,
    in words, or None. Only objects the witness sees are compared."""
    for i, (a, b) in enumerate(zip(m, r)):
        why = _probe_difference(i, a, b)
        if why:
            return why
    if len(m) != len(r):
        return f"probe counts differ: model {len(m)}, real {len(r)}"
    return None


def _probe_difference(i, a, b):
    """How model probe `a` and real probe `b` (the i-th) differ, in words, or None."""
    if a[0] != b[0]:
        return f"probe #{i}: labels differ ({a[0]} vs {b[0]})"
    seen = {k: _as_witness_sees(v, b[1]) for k, v in a[1].items() if k in b[1]}
    if seen != b[1]:
        diff = {k: (seen.get(k), b[1][k]) for k in b[1] if seen.get(k) != b[1][k]}
        return f"probe #{i} `{a[0]}`: (model, real) = {diff}"
    if a[2:] != b[2:]:
        return f"probe #{i} `{a[0]}`: last collection (model, real) = ({a[2:]}, {b[2:]})"
    return None


def _as_witness_sees(entry, visible):
    """A model probe entry with each field that holds an object the witness does not report
    (CPython's shared empty tuple) written as the witness writes it, "?"."""
    if len(entry) < 3 or "fields" not in entry[2]:
        return entry
    fields = {f: _field_seen(v, visible) for f, v in entry[2]["fields"].items()}
    return entry[:2] + [{**entry[2], "fields": fields}]


def _field_seen(v, visible):
    return v if v is None or v in visible else "?"


def _unwound_deadlock(message):
    """Whether a real abort is the witness's own unwinding of a deadlock it detected.

    Real PyO3 never returns from a deadlock. The witness detects it instead (the thread would
    wait for a GIL another waiting thread holds) and unwinds its interpreter; in a build without
    the reference pool, a `Py` that the unwinding drops on a detached thread then aborts the
    process. Nothing of the program runs after the deadlock on either side, so this abort is the
    deadlock."""
    return ("Cannot drop pointer into Python heap without the thread being attached" in (message or "")
            and "panic in a destructor during cleanup" in message)


def _wait(me, free_threaded):
    """Keyword arguments for the witness run. The GIL-build witness sees a program that never
    returns only as one that did not finish in time (kind "deadlock"); when the model says
    "hang", a short wait is enough, since every program that does finish takes milliseconds.
    The free-threaded witness tells a hang itself, with its own timeout in a child process."""
    if free_threaded:
        return {"free_threaded": True}
    return {"timeout": HANG_TIMEOUT_S} if me == "hang" else {}


def modules():
    """One (pyo3, features, cfg) per extension module: the fullest feature set it answers for."""
    best = {}
    for pyo3, feats, cfg in available_builds():
        key = (pyo3, cfg, "gil-refs" in feats)
        if key not in best or len(feats) > len(best[key][1]):
            best[key] = (pyo3, feats, cfg)
    return sorted(best.values())


def random_class_program(seed, prof):
    """A random program that declares pyclasses and uses fields, cycles, collections and
    borrows: the fuzz generator's `classes` option (issue 13)."""
    return generate(random.Random(seed).randint, prof, classes=True)


def _programs(pyo3, feats, cfg, n_random, n_class_random=0):
    """The scenarios, then (for the fullest build of each module) `n_random` random programs
    and `n_class_random` random programs with pyclasses."""
    for name in bound_demo.scenarios.names():
        yield "scenarios", bound_demo.scenarios.get(name)
    if (pyo3, feats, cfg) in modules():
        prof = profile(pyo3, feats, cfg)
        for seed in range(n_random):
            yield "random_programs", generate(random.Random(seed).randint, prof)
        for seed in range(n_class_random):
            yield "random_class_programs", random_class_program(seed, prof)


def _run_build(pyo3, feats, cfg, n_random, mismatches, n_class_random=0):
    """One build's summary row; its mismatches are appended to `mismatches`."""
    t0 = time.perf_counter()
    row = {"pyo3": pyo3, "features": list(feats), "cfg": list(cfg), "scenarios": 0,
           "random_programs": 0, "random_class_programs": 0, "rule_checked_only": 0}
    for kind, program in _programs(pyo3, feats, cfg, n_random, n_class_random):
        row[kind] += 1
        mm, me, re_ = compare_kinds(program, pyo3, feats, cfg)
        row["rule_checked_only"] += me == re_ == "compile_error"
        if mm:
            mismatches.append(str(mm))
    row["seconds"] = round(time.perf_counter() - t0, 1)
    return row


def main(argv=None):
    ap = argparse.ArgumentParser(description="Model vs real PyO3 on scenarios and random programs.")
    ap.add_argument("--random", type=int, default=2000, help="random programs per build")
    ap.add_argument("--random-classes", type=int, default=2000,
                    help="random programs with pyclasses, fields, collections and borrows per build")
    ap.add_argument("--write", help="write a JSON summary here")
    ap.add_argument("--pyo3", action="append", metavar="X.Y",
                    help="only the builds of this release line (repeatable; default: every build)")
    ap.add_argument("--free-threaded", action="store_true",
                    help="the free-threaded witness (PyO3 0.28 on CPython 3.13t) instead")
    a = ap.parse_args(argv)
    if a.free_threaded:
        return _main_free_threaded(a)
    builds = [b for b in available_builds() if not a.pyo3 or b[0] in a.pyo3]
    rows, mismatches = [], []
    for pyo3, feats, cfg in builds:
        row = _run_build(pyo3, feats, cfg, a.random, mismatches, a.random_classes)
        rows.append(row)
        print(f"PyO3 {pyo3} {'+'.join(feats) or '-'} {' '.join(cfg)}: {row['scenarios']} scenarios, "
              f"{row['random_programs']} random programs, {row['random_class_programs']} with "
              f"pyclasses ({row['rule_checked_only']} stopped by a "
              f"compile error on both sides: rule checks, not rustc), {row['seconds']} s")
    summary = {"date": time.strftime("%Y-%m-%d"), "python": platform.python_version(),
               "builds": rows, "mismatches": len(mismatches)}
    print(f"mismatches: {len(mismatches)}")
    for mm in mismatches[:5]:
        print(mm)
    if a.write:
        with open(a.write, "w") as f:
            json.dump(summary, f, indent=1)
    return 1 if mismatches else 0


def _main_free_threaded(a):
    """Every scenario and `--random` random programs (with waits and collections added) on the
    free-threaded witness; prints the counts per outcome and the time."""
    from . import ft
    prof = profile(ft.PYO3, ("py-clone",), free_threaded=True)
    t0, outcomes, mismatches = time.perf_counter(), {}, []
    progs = [bound_demo.scenarios.get(n) for n in bound_demo.scenarios.names()]
    progs += [ft.random_program(seed, prof) for seed in range(a.random)]
    for p in progs:
        mm = compare(p, ft.PYO3, ("py-clone",), free_threaded=True)
        if mm:
            mismatches.append(str(mm))
            continue
        t = bound_demo.run(p, pyo3=ft.PYO3, features=("py-clone",), free_threaded=True)
        k = t.error.kind if t.error else "ok"
        outcomes[k] = outcomes.get(k, 0) + 1
    secs = round(time.perf_counter() - t0, 1)
    print(f"free-threaded PyO3 {ft.CRATE}: {len(progs)} programs ({a.random} random) in {secs} s; "
          f"outcomes {outcomes}; mismatches: {len(mismatches)}")
    for mm in mismatches[:5]:
        print(mm)
    if a.write:
        with open(a.write, "w") as f:
            json.dump({"date": time.strftime("%Y-%m-%d"), "programs": len(progs), "random": a.random,
                       "seconds": secs, "outcomes": outcomes, "mismatches": len(mismatches)}, f, indent=1)
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
