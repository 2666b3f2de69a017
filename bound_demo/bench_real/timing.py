"""Interleaved timing of a workload's series.

A *sample* is `calls` consecutive calls of `fn(n)`: `n` is the work inside one #[pyfunction] call
(what a GILPool accumulates before the call returns and releases it), `calls` only makes the sample
long enough to time. All series of a workload use the same `n` and `calls`. Each round takes one
sample of every series, in an order rotated per round, so slow drift (another build starting,
frequency changes) hits all of them alike; ratios are taken per round, then summarised.
"""
import gc
import time

from .stats import summary


def _sample_ns(fn, n, calls):
    t0 = time.perf_counter_ns()
    for _ in range(calls):
        fn(n)
    return time.perf_counter_ns() - t0


def calibrate(fn, n, target_s, cap=1 << 22):
    """Smallest power-of-two number of calls for which one sample takes at least `target_s`."""
    calls = 1
    while calls < cap and _sample_ns(fn, n, calls) < target_s * 1e9:
        calls *= 2
    return calls


def run_workload(fns, n, calls, rounds, warmup, tick=lambda: None):
    """Time every series of one workload. `fns` maps series key -> callable(n).

    Returns {series key: [nanoseconds per iteration, one per round]}.
    """
    keys = list(fns)
    for key in keys:                       # warm caches, the allocator and lazy PyO3 statics
        for _ in range(warmup):
            _sample_ns(fns[key], n, calls)
    samples = {k: [] for k in keys}
    was_enabled = gc.isenabled()
    gc.disable()                           # a cyclic GC pass would land on one series at random
    try:
        for r in range(rounds):
            shift = r % len(keys)
            for key in keys[shift:] + keys[:shift]:
                samples[key].append(_sample_ns(fns[key], n, calls) / (n * calls))
                tick()
            gc.collect()                   # between rounds, outside any timed sample
    finally:
        if was_enabled:
            gc.enable()
    return samples


def ratio(samples, num, den):
    """Per-round ratio num/den summarised; None when either series is absent."""
    if num not in samples or den not in samples:
        return None
    per_round = [a / b for a, b in zip(samples[num], samples[den])]
    out = summary(per_round)
    out["of_medians"] = summary(samples[num])["median"] / summary(samples[den])["median"]
    return out
