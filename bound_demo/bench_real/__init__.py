"""Real-PyO3 benchmarks: GIL Refs vs the Bound API, measured on compiled PyO3 releases.

`python -m bound_demo.bench_real` times the workloads in ``bench_real/`` (one extension crate per
PyO3 release) and records peak memory of issue #1056's loop; ``python -m
bound_demo.bench_real.report`` turns the JSON into ``docs/performance.md``. Kept import-light:
RSS child processes import this package, and their baseline memory should be the interpreter's.
"""
