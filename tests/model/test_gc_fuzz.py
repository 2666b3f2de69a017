"""Random programs with pyclass fields, borrows and collections (fuzz `classes=True`)."""

import random

import pytest

import bound_demo
from bound_demo.format.fuzz import CLASSES, generate
from bound_demo.trace import Trace
from bound_demo.versions import profile

from test_properties import check_bookkeeping

BUILDS = [("0.20", ()), ("0.21", ()), ("0.22", ("py-clone",)), ("0.26", ()), ("0.29", ()),
          ("0.30", ("py-clone",))]
PYCLASS_OPS = {"set_field", "take_field", "clear_field", "gc_collect", "borrow", "borrow_mut",
               "try_borrow", "try_borrow_mut", "guard", "guard_mut"}


def _kinds(ops):
    for op in ops:
        yield op["op"]
        yield from _kinds(op.get("body", []))


@pytest.mark.parametrize("pyo3,features", BUILDS)
def test_class_programs_run_clean_and_keep_the_books(pyo3, features):
    prof = profile(pyo3, features)
    seen = set()
    for seed in range(60):
        p = generate(random.Random(seed).randint, prof, classes=True)
        assert p["classes"] == CLASSES
        seen |= set(_kinds(p["ops"])) & PYCLASS_OPS
        t = bound_demo.run(p, pyo3=pyo3, features=features)
        assert t.error is None, (seed, t.error)
        check_bookkeeping(t)
        g = t.final.last_gc
        if g is not None:
            assert set(g["freed"]) <= set(g["found"]) and g["returned"] == len(g["found"])
    want = PYCLASS_OPS - ({"guard", "guard_mut"} if not prof.pyclass_guard else set())
    assert want - {"take_field"} <= seen  # every op is drawn (take_field needs a full field)


@pytest.mark.parametrize("pyo3,features", BUILDS[::2])
def test_class_programs_round_trip(pyo3, features):
    prof = profile(pyo3, features)
    for seed in range(20):
        j = bound_demo.run(generate(random.Random(seed).randint, prof, classes=True),
                           pyo3=pyo3, features=features).to_json()
        assert Trace.from_json(j).to_json() == j


def test_without_the_option_no_class_op_is_drawn():
    prof = profile("0.29")
    for seed in range(200):
        p = generate(random.Random(seed).randint, prof)
        assert "classes" not in p and not set(_kinds(p["ops"])) & PYCLASS_OPS
