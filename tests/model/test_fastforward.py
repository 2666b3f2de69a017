"""The bulk paths (`bound_demo.store.fastforward`: repeat loops written from their pattern, and the
pool drop's plain decrefs) must record exactly what op-by-op interpretation records.

Each test runs a program twice, bulk paths on and off, and compares the whole trace JSON:
every step's caption, touched set and full state, the labels and the error.
"""

import os

import pytest
from hypothesis import HealthCheck, given, settings

import bound_demo
from bound_demo import scenarios
from bound_demo.store import fastforward
from bound_demo.format.fuzz import loop_programs, programs
from bound_demo.store.state import CHECKPOINT
from bound_demo.versions import profile

EXAMPLES = int(os.environ.get("BOUND_DEMO_FUZZ_EXAMPLES", "150"))
BUILDS = [("0.20", (), ()), ("0.21", ("gil-refs",), ()), ("0.22", ("gil-refs", "py-clone"), ()),
          ("0.22", (), ()), ("0.23", (), ()), ("0.29", (), ()),
          ("0.29", (), ("pyo3_disable_reference_pool", "pyo3_leak_on_drop_without_reference_pool"))]


def both(program, pyo3, features=(), cfg=()):
    """(bulk trace, op-by-op trace)."""
    try:
        fastforward.ENABLED = True
        fast = bound_demo.run(program, pyo3=pyo3, features=features, cfg=cfg)
        fastforward.ENABLED = False
        slow = bound_demo.run(program, pyo3=pyo3, features=features, cfg=cfg)
    finally:
        fastforward.ENABLED = True
    return fast, slow


def records(t):
    r = t._store
    steps = [r.step_fields(i) for i in range(r.nsteps)]
    return (steps, list(r.log_slice(0, r.m.log_base)), r.extras, r.labels, r.m.hrecs, r.m.side,
            r.m.types, r.m.thread_names, r.m.var_names, t.executed_ops, repr(t.error))


def assert_same(program, pyo3, features=(), cfg=(), full=400):
    """Same records (steps, deltas, handle records, side tables, extras, labels, error), and
    the same state at every checkpoint of either run and the step after it. Short traces are
    also compared as whole JSON."""
    fast, slow = both(program, pyo3, features, cfg)
    assert slow._store.fast_iterations == 0
    assert records(fast) == records(slow)
    n = len(fast.steps)
    for i in sorted({c + d for c in fast._store.cp_steps + slow._store.cp_steps for d in (-1, 0)}):
        if 0 <= i < n:
            assert fast.steps[i].state.to_dict() == slow.steps[i].state.to_dict(), i
    if n <= full:
        assert fast.to_json() == slow.to_json()
    assert fast.series() == slow.series()
    assert fast._store.delta_ends(0, n) == [fast._store.delta_end(i) for i in range(n)]
    assert fast._store.delta_ends(n // 3, n - 1) == [fast._store.delta_end(i) for i in range(n // 3, n - 1)]
    for start, every in ((0, max(1, n // 7)), (n // 3, max(1, n // 11))):
        walked = [(i, st.to_dict()) for i, st in fast.iter_states(start, None, every)]
        assert walked == [(i, st.to_dict()) for i, st in slow.iter_states(start, None, every)]
        assert walked == [(i, fast.state_at(i).to_dict()) for i in range(start, n, every)]
    cps = fast._store.cp_steps + [n]
    assert max(b - a for a, b in zip(cps, cps[1:])) <= CHECKPOINT
    return fast


def loop(n, body):
    return {"format": "bound_demo.program/1",
            "ops": [{"op": "gil", "body": [{"op": "repeat", "times": n, "body": body},
                                           {"op": "probe", "label": "after"}]}]}


NEW_GIL_REF = [{"op": "new", "as": "x", "type": "object", "api": "gil_ref"}]


@pytest.mark.parametrize("pyo3,features", [("0.20", ()), ("0.21", ()), ("0.22", ("gil-refs",))])
def test_issue_1056_loop_is_written_in_bulk_and_matches(pyo3, features):
    t = assert_same(loop(1000, NEW_GIL_REF), pyo3, features)
    # Three iterations find the pattern, after up to WARMUP op by op.
    assert 1000 - fastforward.WARMUP <= t._store.fast_iterations <= 997
    st = t.at("after")
    assert st.threads["main"].owned_len == 1000
    assert st.objects["o1000"].refcount == 1
    assert t.final.objects["o1000"].alive is False


def test_bound_per_iteration_and_pool_per_iteration_are_bulk():
    bound = [{"op": "new", "as": "b", "type": "object", "api": "bound"},
             {"op": "clone", "src": "b", "as": "c"}]
    t = assert_same(loop(300, bound), "0.23")
    assert t._store.fast_iterations > 280
    pooled = [{"op": "new_pool", "body": NEW_GIL_REF + NEW_GIL_REF}]
    t = assert_same(loop(300, pooled), "0.20")
    assert t._store.fast_iterations > 280
    assert t.at("after").threads["main"].owned_len == 0


def test_checkpoints_keep_coming_after_a_bulk_loop():
    # Every alignment of a loop's end with the checkpoint grid (some end exactly on it):
    # the steps after the loop must still get a checkpoint at least every CHECKPOINT steps.
    for times in range(120, 200):
        for body in (NEW_GIL_REF, NEW_GIL_REF * 3)[:1 + (times % 8 == 0)]:
            prog = loop(times, body)
            prog["ops"].append({"op": "gil", "body": [{"op": "probe", "label": f"q{i}"}
                                                      for i in range(2 * CHECKPOINT)]})
            t = assert_same(prog, "0.20", full=0)
            assert t._store.fast_iterations > 0


def test_probe_inside_a_loop_keeps_its_last_step():
    body = NEW_GIL_REF + [{"op": "probe", "label": "inside"}]
    t = assert_same(loop(200, body), "0.20")
    assert t._store.fast_iterations > 180
    assert t.at("inside").threads["main"].owned_len == 200


def test_loops_that_do_not_repeat_exactly_run_op_by_op():
    # A Py dropped on a thread without the GIL queues a decref each time: POOL grows, so
    # no two iterations start from the same state.
    grows = [{"op": "new", "as": "p", "type": "object", "api": "py"},
             {"op": "send", "src": "p", "to": "worker"},
             {"op": "thread", "name": "worker", "body": [{"op": "drop", "src": "p"}]}]
    for pyo3 in ("0.20", "0.22"):
        t = assert_same(loop(100, grows), pyo3)
        assert t._store.fast_iterations == 0
        assert len(t.at("after").pending_decrefs) == 100
    # A loop that names a handle from outside it is never fast-forwarded.
    outer = {"format": "bound_demo.program/1", "ops": [{"op": "gil", "body": [
        {"op": "new", "as": "l", "type": "list", "api": "bound"},
        {"op": "repeat", "times": 50, "body": [{"op": "clone", "src": "l", "as": "c"}]}]}]}
    t = assert_same(outer, "0.23")
    assert t._store.fast_iterations == 0


def test_loop_after_queued_decrefs_and_on_a_thread():
    # A decref waits in POOL when the loop starts (the first iteration's pool drains it), and
    # a second loop runs on another thread.
    new = [{"op": "new", "as": "x", "type": "object", "api": "gil_ref"}]
    prog = {"format": "bound_demo.program/1", "ops": [
        {"op": "gil", "as": "k", "body": [{"op": "new", "as": "k_", "type": "object", "api": "py"},
                                          {"op": "return", "src": "k_"}]},
        {"op": "send", "src": "k", "to": "worker"},
        {"op": "thread", "name": "worker", "body": [
            {"op": "drop", "src": "k"},
            {"op": "gil", "body": [{"op": "repeat", "times": 64, "body": new}]}]},
        {"op": "gil", "body": [{"op": "repeat", "times": 64, "body": [{"op": "gil", "body": new}]}]}]}
    for pyo3, features in (("0.20", ()), ("0.21", ()), ("0.22", ("gil-refs",))):
        t = assert_same(prog, pyo3, features)
        assert t._store.fast_iterations > 100


def test_pool_drop_with_duplicates_containers_and_pending_work():
    # Duplicated pool entries (as_ref of the same Py), a list holding items, and a decref
    # queued before the pool drops: the general path must take over where needed.
    body = [{"op": "new", "as": "p", "type": "object", "api": "py"},
            {"op": "as_ref", "src": "p", "as": "r1"}, {"op": "as_ref", "src": "p", "as": "r2"},
            {"op": "new", "as": "a", "type": "object", "api": "gil_ref"},
            {"op": "new", "as": "l", "type": "list", "api": "gil_ref", "items": ["a"]}]
    prog = {"format": "bound_demo.program/1", "ops": [{"op": "with_gil", "body": [
        {"op": "repeat", "times": 40, "body": body},
        {"op": "new", "as": "q", "type": "object", "api": "py"},
        {"op": "allow_threads", "body": [{"op": "drop", "src": "q"}]}]}]}
    for pyo3 in ("0.20", "0.21"):
        assert_same(prog, pyo3)


@pytest.mark.parametrize("name", sorted(scenarios.names()))
def test_every_scenario_matches(name):
    for pyo3, features, cfg in BUILDS:
        assert_same(scenarios.get(name), pyo3, features, cfg)


@pytest.mark.parametrize("pyo3,features,cfg", BUILDS)
def test_random_long_loops_match(pyo3, features, cfg):
    """A random prefix, then one long loop of a random body (most of them are written in
    bulk), and random programs whose loops all run 16-20 times."""
    prof = profile(pyo3, features, cfg)
    cfg_ = settings(max_examples=max(20, EXAMPLES // 3), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

    @cfg_
    @given(loop_programs(prof))
    def check_loop(program):
        assert_same(program, pyo3, features, cfg)

    @cfg_
    @given(programs(prof, max_ops=25, times=(16, 20)))
    def check_any(program):
        assert_same(program, pyo3, features, cfg)

    check_loop()
    check_any()


def test_scope_end_captions_of_long_traces_name_the_right_handle():
    # Past 4096 handle records a scope_end caption looks the handle up in the state before
    # its step instead of scanning every record; both must find the same record.
    from bound_demo.text.captions import _rec
    from bound_demo.store.state import latest_record, unpack_handle
    t = bound_demo.run(loop(5000, NEW_GIL_REF), pyo3="0.20")
    hrecs = t._tables[2]
    assert len(hrecs) > 4096
    checked = 0
    for i in range(1, len(t.steps), 97):
        if t.steps[i].event != "scope_end":
            continue
        a = t._store.step_fields(i)[2]
        # The newest record made before step i's own deltas.
        stop = next(k for k in range(len(hrecs)) if unpack_handle(hrecs[k])[0] > a)
        want = unpack_handle(latest_record(hrecs, a, stop))
        got = _rec(t, i, a)
        assert got == (want[0], t._tables[5][want[1]], *want[2:])
        assert t.steps[i].caption.startswith("`x` goes out of scope")
        checked += 1
    assert checked > 10
