import pytest

import bound_demo


def P(*ops, **extra):
    """A program from ops."""
    return {"format": "bound_demo.program/1", "ops": list(ops), **extra}


def gil(*body, as_=None):
    return {"op": "with_gil", "body": list(body), **({"as": as_} if as_ else {})}


def probe(label):
    return {"op": "probe", "label": label}


def rc(state):
    """{oid: refcount} of a state."""
    return {k: o.refcount for k, o in state.objects.items()}


@pytest.fixture
def run():
    return bound_demo.run
