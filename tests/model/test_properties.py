"""Properties of every valid program, checked with hypothesis on generated programs
(`bound_demo.format.fuzz`, shared with the model-vs-witness differential tests).

Stated as rules:
* refcount bookkeeping: for every live object, its refcount equals the number of its strong
  holders — owning handles in scope, container slots of live containers, owned-object pool
  entries, Python variables, values in flight out of a block, leaked references — plus its
  queued decrefs minus its queued increfs;
* no refcount is ever negative, and a freed object has no strong holder left;
* running the same program twice gives identical JSON, and the JSON reads back unchanged.
"""

import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings

import bound_demo
from bound_demo.format.fuzz import programs
from bound_demo.trace import Trace
from bound_demo.versions import profile

EXAMPLES = int(os.environ.get("BOUND_DEMO_FUZZ_EXAMPLES", "150"))
BUILDS = [("0.20", (), ()), ("0.21", ("gil-refs",), ()), ("0.21", (), ()),
          ("0.22", ("gil-refs", "py-clone"), ()), ("0.22", (), ()), ("0.23", (), ()),
          ("0.26", (), ()), ("0.29", (), ()),
          ("0.29", (), ("pyo3_disable_reference_pool", "pyo3_leak_on_drop_without_reference_pool"))]


def holders(state, subclassed=frozenset()):
    """Strong holders per object id, counted from the state alone. `subclassed`: the classes
    declared with `subclass_holds_instance`, whose live instances `Sub.me` also holds (#6269)."""
    n = Counter()
    n.update(k for k, o in state.objects.items() if o.alive and getattr(o, "cls", None) in subclassed)
    for h in state.handle_instances.values():
        if h.owns and h.status == "live" and h.obj:
            n[h.obj] += 1
    for o in state.objects.values():
        n.update(o.items)  # a dying container holds its slots until it releases each
        # A declared pyclass's fields hold references too (issue 13).
        n.update(v for v in getattr(o, "fields", {}).values() if v)
    for t in state.threads.values():
        n.update(t.owned)
        n.update(t.releasing)
    n.update(state.py_vars.values())
    n.update(state.in_flight)
    n.update(state.leaked)
    return n


def check_bookkeeping(trace):
    classes = trace.program.get("classes") or {}
    subclassed = frozenset(n for n, c in classes.items() if c.get("subclass_holds_instance"))
    for step in trace.steps:
        st = step.state
        # A `new` step shows the instance before `Sub.me` takes its reference (the next step).
        held = holders(st, frozenset() if step.event == "new" else subclassed)
        inc = Counter(st.pending_increfs + st.draining_increfs)
        dec = Counter(st.pending_decrefs + st.draining_decrefs)
        for oid, o in st.objects.items():
            assert o.refcount >= 0, (step.index, oid)
            if o.alive:
                assert o.refcount == held[oid] + dec[oid] - inc[oid], (step.index, oid, step.caption)
            else:
                assert held[oid] == 0, (step.index, oid, "a freed object still has a holder")


@pytest.mark.parametrize("pyo3,features,cfg", BUILDS)
def test_property_refcounts_match_holders(pyo3, features, cfg):
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(programs(profile(pyo3, features, cfg)))
    def check(program):
        trace = bound_demo.run(program, pyo3=pyo3, features=features, cfg=cfg)
        assert trace.error is None, trace.error
        check_bookkeeping(trace)

    check()


@pytest.mark.parametrize("pyo3,features,cfg", BUILDS[::2])
def test_property_deterministic_and_json_round_trip(pyo3, features, cfg):
    @settings(max_examples=max(20, EXAMPLES // 5), deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(programs(profile(pyo3, features, cfg)))
    def check(program):
        a = bound_demo.run(program, pyo3=pyo3, features=features, cfg=cfg).to_json()
        b = bound_demo.run(program, pyo3=pyo3, features=features, cfg=cfg).to_json()
        assert a == b
        assert Trace.from_json(a).to_json() == a

    check()


@pytest.mark.parametrize("name", bound_demo.scenarios.names())
def test_scenarios_keep_the_books(name):
    for pyo3, features, cfg in bound_demo.scenarios.releases(name):
        trace = bound_demo.scenarios.run(name, pyo3, features, cfg)
        check_bookkeeping(trace)
