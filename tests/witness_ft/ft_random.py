"""The random-program differential of the free-threaded builds, shared by their test files:
`ft.random_program` number `seed` (prepared for the build by `prepare`) on the model and on the
real module, counting how the agreeing runs ended."""

import time

import bound_demo
from bound_demo.versions import profile
from bound_demo.witness import ft
from bound_demo.witness.differential import compare


def random_differential(pyo3, examples, prepare=lambda p: p):
    """(seconds, {ending kind: count} of the agreeing runs, ["seed N: mismatch"])."""
    features = ("py-clone",)
    prof = profile(pyo3, features, free_threaded=True)
    t0 = time.perf_counter()
    kinds, mismatches = {}, []
    for seed in range(examples):
        p = prepare(ft.random_program(seed, prof))
        mm = compare(p, pyo3, features, free_threaded=True)
        if mm:
            mismatches.append(f"seed {seed}: {mm}")
            continue
        t = bound_demo.run(p, pyo3=pyo3, features=features, free_threaded=True)
        k = t.error.kind if t.error else "ok"
        kinds[k] = kinds.get(k, 0) + 1
    return time.perf_counter() - t0, kinds, mismatches
