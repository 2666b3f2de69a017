"""Reproduce the pyclass GC and borrow findings on a real PyO3 build.

Usage: python run_experiments.py [MODULE ...]   (default: pyclass_gc_029, the crate beside this
script). Other modules built from the same source against other PyO3 releases can be named too;
`refcnt020` is the name the 0.20 (GIL-ref) build of the probe uses.
Each GC scenario runs in a fresh interpreter, because an uncollectable cycle would be found
again by every later gc.collect() and distort the numbers of the scenarios after it.
"""
import json
import os
import subprocess
import sys

HAVE_GC = 1 << 14
ENV = dict(os.environ, RUST_BACKTRACE="0")

SCENARIOS = ["pair", "self", "list", "dict", "mixed_trav", "take", "reachable", "subclass_type"]
CLASSES = ["Plain", "Trav", "TravOnly"]


def gc_scenario(modname, clsname, scenario):
    """Run one cycle scenario in this process and return what was observed."""
    import gc
    import importlib
    import weakref

    m = importlib.import_module(modname)
    K = getattr(m, clsname)
    gc.collect()
    gc.disable()  # only the explicit collection below may run
    d0, t0, c0 = m.counters()
    out = {}
    if scenario == "subclass_type":
        # A Python subclass whose class attribute holds an instance: type -> dict -> instance
        # -> ob_type -> type. Only a tp_traverse that visits Py_TYPE(self) lets gc see the
        # last edge (PyO3 #6269).
        Sub = type("Sub", (K,), {})
        Sub.me = Sub()
        wr = weakref.ref(Sub)
        del Sub
        out["referents_include_type"] = None
    else:
        a = K()
        b = m.Trav() if scenario == "mixed_trav" else K()
        if scenario in ("pair", "take", "reachable", "mixed_trav"):
            a.next = b
            b.next = a
        elif scenario == "self":
            a.next = a
        elif scenario == "list":
            a.next = [a]
        elif scenario == "dict":
            a.next = {"k": a}
        out["refcnt_a_named"] = (getattr(m, "refcnt", None) or m.refcnt020)(a)  # includes the argument's own reference
        out["tracked"] = gc.is_tracked(a)
        out["referents"] = [type(r).__name__ for r in gc.get_referents(a)]
        if scenario == "take":
            taken = a.take_next()
            del taken
        keep = a if scenario == "reachable" else None
        del a, b
        wr = None
    d1 = m.counters()[0]
    n = gc.collect()
    d2, t2, c2 = m.counters()
    out.update(dropped_before_collect=d1 - d0, gc_collect_returned=n,
               dropped_by_collect=d2 - d1, traverse_calls=t2 - t0, clear_calls=c2 - c0)
    if wr is not None:
        out["subclass_freed"] = wr() is None
    n2 = gc.collect()
    out["second_collect_returned"] = n2
    out["dropped_by_second_collect"] = m.counters()[0] - d2
    return out


def attach_in_traverse(modname):
    import gc
    import importlib
    m = importlib.import_module(modname)
    a = m.TravAttach()
    a.next = a
    del a
    print("collect returned", gc.collect(), flush=True)
    print("survived", flush=True)


def borrow_report(m):
    obj = m.Trav()
    kinds = ["borrow", "borrow_mut", "try_borrow", "try_borrow_mut", "guard", "guard_mut"]
    probes = {}
    for k in kinds:
        try:
            probes[k] = m.probe(obj, k)
        except ValueError:
            probes[k] = "absent"
    conflicts = {}
    for first in ["borrow", "borrow_mut", "guard", "guard_mut"]:
        for second in kinds[:4] + ["try_borrow_raise", "try_borrow_mut_raise", "guard", "guard_mut"]:
            try:
                res = m.hold_then(obj, first, second)
            except ValueError as e:
                if "no " in str(e):
                    continue
                res = f"raised ValueError: {e}"
            except BaseException as e:  # PanicException derives from BaseException
                res = f"raised {type(e).__name__}: {e}"
            conflicts[f"{first} then {second}"] = res
    return {"probe (rc before, held, after)": probes, "conflicts": conflicts}


def main(mods):
    for modname in mods:
        import importlib
        m = importlib.import_module(modname)
        print(f"##### {modname}")
        for c in CLASSES + ["TravAttach"]:
            K = getattr(m, c)
            import gc
            print(f"flags {c}: HAVE_GC={bool(K.__flags__ & HAVE_GC)} is_tracked={gc.is_tracked(K())}")
        for c in CLASSES:
            for s in SCENARIOS:
                r = subprocess.run([sys.executable, __file__, "--gc", modname, c, s],
                                   capture_output=True, text=True, env=ENV)
                print(f"gc {c:8} {s:13} {r.stdout.strip() or r.stderr.strip()[-300:]}")
        r = subprocess.run([sys.executable, __file__, "--attach", modname],
                           capture_output=True, text=True, env=ENV)
        print(f"attach-in-traverse: exit={r.returncode} stdout={r.stdout.strip()!r}")
        msgs = [l for l in r.stderr.splitlines() if l and not l.startswith(("thread ", "note:"))]
        print(f"  {len(msgs)} panic message(s), distinct: {sorted(set(msgs))}")
        print("borrows:", json.dumps(borrow_report(m), indent=1))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--gc"]:
        print(json.dumps(gc_scenario(*sys.argv[2:5])))
    elif sys.argv[1:2] == ["--attach"]:
        attach_in_traverse(sys.argv[2])
    else:
        main(sys.argv[1:] or ["pyclass_gc_029"])
