"""Where POOL is drained is one table per release (`versions.DRAIN_POINTS`), and only
`concepts/reference_pool.py` calls `update_counts`."""

import pathlib

import bound_demo
from bound_demo.versions import RELEASES, profile

PKG = pathlib.Path(bound_demo.__file__).parent


def test_the_drain_table_per_release():
    for v in ("0.20", "0.21"):
        p = profile(v)
        assert p.drains("pool_new") == ("GILPool::new",)
        assert p.drains("suspend_exit") == ("SuspendGIL::drop",)
        for point in ("acquire", "nested_acquire", "trampoline", "dealloc"):
            assert p.drains(point) == ()  # the pool these open drains instead
    for v in RELEASES[2:]:
        p = profile(v)
        assert p.drains("acquire") == ("GILGuard::acquire",)
        assert p.drains("nested_acquire") == ("GILGuard::assume",)
        assert p.drains("trampoline") == p.drains("dealloc") == ("GILGuard::assume",)
        assert p.drains("suspend_exit") == ("SuspendGIL::drop",)
    assert profile("0.22", ["gil-refs"]).drains("acquire") == ("GILPool::new", "GILGuard::acquire")
    assert profile("0.21", ["gil-refs"]).drains("acquire") == ()
    assert profile("0.29").drains("no_such_point") == ()


def test_only_the_reference_pool_module_calls_update_counts():
    callers = sorted(str(f.relative_to(PKG)) for f in PKG.rglob("*.py")
                     if "update_counts(r" in f.read_text())
    assert callers == ["concepts/reference_pool.py"]


def test_drain_steps_name_the_table_entry():
    prog = {"format": "bound_demo.program/1", "ops": [
        {"op": "with_gil", "body": [
            {"op": "new", "as": "p", "type": "object", "api": "py"},
            {"op": "allow_threads", "body": [{"op": "drop", "src": "p"}]}]}]}
    t = bound_demo.run(prog, pyo3="0.22", features=["gil-refs"])
    drains = [s.caption for s in t.steps if s.event == "drain_decref"]
    assert drains == ["POOL drained (SuspendGIL::drop): pending decref of o1 applied, "
                      "refcount 0: freed"]
