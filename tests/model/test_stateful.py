"""A hypothesis state machine that grows one valid program a piece at a time (`fuzz._Gen.chunk`:
a GIL block, a pyfunction, a `Py` sent to a thread, a `del`) and runs it after every piece.

After every rule:
* the refcount bookkeeping of `test_properties` holds at every step (refcount = strong
  holders + queued decrefs - queued increfs, never negative, nothing holds a freed object);
* the program runs without error (the generator only writes programs Rust would accept and
  that neither panic nor abort);
* adding a piece never changes the past: the steps of the program before the new piece
  (up to its last probe) are the same steps, with the same captions and states, as before.
"""

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import bound_demo
from bound_demo.format.fuzz import _Gen
from bound_demo.format.program import FORMAT
from bound_demo.versions import profile

from test_properties import BUILDS, check_bookkeeping

EXAMPLES = int(os.environ.get("BOUND_DEMO_FUZZ_EXAMPLES", "150"))


def chooser(data):
    return lambda lo, hi: data.draw(st.integers(lo, hi))


class GrowingProgram(RuleBasedStateMachine):
    @initialize(build=st.sampled_from(BUILDS), data=st.data())
    def start(self, build, data):
        self.build = build
        self.gen = _Gen(chooser(data), profile(*build), 12)
        self.ops, self.top = [], []
        self.past = None  # (last probe label, [(event, caption, state dict)] up to it)

    @rule(data=st.data())
    def add_piece(self, data):
        self.gen.c, self.gen.budget = chooser(data), 12
        self.gen.chunk(self.ops, self.top)

    def run(self):
        program = {"format": FORMAT, "ops": self.ops + self.gen.closing(self.top)}
        pyo3, features, cfg = self.build
        return bound_demo.run(program, pyo3=pyo3, features=features, cfg=cfg)

    @invariant()
    def books_balance_and_the_past_stays(self):
        if not hasattr(self, "ops") or not self.ops:
            return
        trace = self.run()
        assert trace.error is None, trace.error
        check_bookkeeping(trace)
        if self.past is not None:
            label, before = self.past
            end = trace.labels[label]
            now = [(s.event, s.caption, s.state.to_dict()) for s in trace.steps[:end + 1]]
            assert now == before
        label = self.ops[-1]["label"]  # every piece ends with a probe
        end = trace.labels[label]
        self.past = (label, [(s.event, s.caption, s.state.to_dict())
                             for s in trace.steps[:end + 1]])


GrowingProgram.TestCase.settings = settings(
    max_examples=max(20, EXAMPLES // 3), stateful_step_count=6, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TestGrowingProgram = GrowingProgram.TestCase
