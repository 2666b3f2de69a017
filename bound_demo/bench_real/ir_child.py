"""Run planned workload segments between markers, for callgrind's instruction counts.

Usage (under valgrind --tool=callgrind --dump-before=getppid):
    python -m bound_demo.bench_real.ir_child PLAN.json
PLAN is a list of [module, function, input keys, n, calls]. Every segment is preceded by one
untimed warm-up call and bracketed by two os.getppid() calls: getppid is a libc function the
interpreter never calls by itself, so each entry makes callgrind write a dump, and the dump taken
at a segment's closing marker holds exactly that segment's instructions.
"""
import importlib
import json
import os
import sys

from .workloads import inputs


def main(path):
    data = inputs()
    for module, function, keys, n, calls in json.load(open(path)):
        fn = getattr(importlib.import_module(module), function)
        args = [data[k] for k in keys]
        fn(*args, n)          # warm-up: lazy statics, interned names, allocator pools
        os.getppid()          # marker: closes the "junk" interval
        for _ in range(calls):
            fn(*args, n)
        os.getppid()          # marker: this dump is the segment


if __name__ == "__main__":
    main(sys.argv[1])
