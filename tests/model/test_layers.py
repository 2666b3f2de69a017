"""The layers keep to their parts: the PyO3 concept modules change state only through the
`Machine` (no delta codes, no persistent-vector leaves, no hand-written log), delta records
are packed and unpacked only by `store/deltas.py`, and the enums spell the names the formats
use."""

import pathlib
import re

import bound_demo
from bound_demo.format import program
from bound_demo.store import deltas, state
from bound_demo.store.names import COPY_KINDS, SEND_KINDS, K, Kind, ObjType, S, Status

PKG = pathlib.Path(bound_demo.__file__).parent


def _sources(folder):
    return {str(f.relative_to(PKG)): f.read_text() for f in sorted((PKG / folder).glob("*.py"))}


def test_concept_modules_do_not_reach_into_storage():
    for name, text in _sources("concepts").items():
        assert "store.deltas" not in text and "store.pvec" not in text, name
        assert not re.search(r"\bD_[A-Z]+\b", text), name  # no delta codes
        assert not re.search(r"\.log\.(append|extend)|\.log_base\b|\.root\[", text), name
        assert not re.search(r"\bm\.\w+ *(\+|-)?= ", text), name  # no field written by hand


def test_only_the_deltas_module_knows_the_packing():
    hand = re.compile(r"& *31\b|>> *34\b|<< *34\b|>> *5\)")
    offenders = sorted(str(f.relative_to(PKG)) for f in PKG.rglob("*.py")
                       if f.name != "deltas.py" and hand.search(f.read_text()))
    assert offenders == []


def test_delta_round_trip():
    for code in (deltas.D_NEWOBJ, deltas.D_RC, deltas.D_SIDE):
        for a, b in ((0, 0), (1, 2), (deltas.A_MASK, 1 << 40)):
            d = deltas.encode(code, a, b)
            assert deltas.decode(d) == (code, a, b)
            assert (deltas.code_of(d), deltas.a_of(d), deltas.b_of(d)) == (code, a, b)


def test_enums_spell_the_format_names_and_keep_their_codes():
    assert tuple(ObjType) == program.OBJ_TYPES == state.TYPES
    assert [k.value for k in Kind] == list(state.KINDS) == [
        "gil_ref", "bound", "borrowed", "bound_ref", "py", "python",
        # issue 13 appended the pyclass borrows; the codes above keep their values
        "pyref", "pyrefmut", "guard", "guard_mut"]
    assert [s.value for s in Status] == list(state.STATUSES) == ["live", "moved", "dropped"]
    assert Kind.PY.code == 4 and Kind.of(4) is Kind.PY and ObjType.of(3) is ObjType.TUPLE
    assert (K.GIL_REF, S.DROPPED) == ("gil_ref", "dropped") and type(K.PY) is str
    assert COPY_KINDS == {"gil_ref", "borrowed", "bound_ref", "python"}
    assert SEND_KINDS == {"py"}
