"""Text helpers: escaping for Graphviz HTML-like labels, safe ids, and wording.

Everything a program author controls (handle names, Python variable names, thread
names, captions) reaches Graphviz only through ``esc``. Node and port ids are
derived with ``safe_id`` so no user text is ever parsed as DOT syntax.
"""
from __future__ import annotations

from ..versions import profile

import re

_SAFE = re.compile(r"^[A-Za-z0-9_]{1,40}$")
# XML 1.0 forbids most control characters; Graphviz's HTML parser would reject them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def esc(text) -> str:
    """Escape any value for use as text inside a Graphviz HTML-like label.

    Backslashes are doubled: Graphviz expands `\\N`, `\\G`, `\\L` ... (node name, graph
    name, ...) even inside HTML-like labels, and even when the backslash is written `&#92;`;
    a doubled backslash is shown as one."""
    s = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", str(text))
    return (s.replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
             .replace('"', "&quot;").replace("\n", " "))


def safe_id(prefix: str, name) -> str:
    """A DOT-safe, deterministic id: readable when the name is plain, hex otherwise."""
    s = str(name)
    if _SAFE.match(s):
        return f"{prefix}_{s}"
    return f"{prefix}_x{s.encode('utf-8').hex()}"


def profile_of(trace):
    """The release profile a trace was recorded under (None for a bare state): views ask it
    what the release does and never compare version strings themselves."""
    prof = getattr(trace, "prof", None)
    if prof is not None or getattr(trace, "pyo3", None) is None:
        return prof
    try:  # a trace-like record (a witness run, say) that names its release but holds no profile
        return profile(trace.pyo3, _names(trace, "features"), _names(trace, "cfg"))
    except ValueError:
        return None


def count_name(trace) -> str:
    """The thread counter's name in the trace's release (GIL_COUNT, ATTACH_COUNT from 0.26)."""
    prof = profile_of(trace)
    return prof.count_name if prof is not None else "GIL_COUNT"


def gil_words(trace) -> tuple:
    """How to say 'holds the GIL' / 'does not' in the release's own vocabulary."""
    prof = profile_of(trace)
    if prof is not None and prof.attach_names:
        return ("attached", "detached")
    return ("holds GIL", "no GIL")


def release_label(trace) -> str:
    """'PyO3 0.21 + gil-refs', with any --cfg flags after a comma."""
    if trace is None:
        return ""
    cfg = _names(trace, "cfg")
    return (f"PyO3 {trace.pyo3}" + "".join(f" + {f}" for f in _names(trace, "features"))
            + (", cfg " + ", ".join(cfg) if cfg else ""))


def _names(trace, field) -> tuple:
    """A trace's features or cfg flags; a record without them has none."""
    return tuple(getattr(trace, field, ()) or ())


KIND_TEXT = {
    "gil_ref": "&PyAny (GIL ref)",
    "bound": "Bound",
    "borrowed": "Borrowed",
    "bound_ref": "&Bound",
    "py": "Py",
    "python": "Python<'py>",
    "pyref": "PyRef",
    "pyrefmut": "PyRefMut",
    "guard": "PyClassGuard",
    "guard_mut": "PyClassGuardMut",
}


def kind_text(kind) -> str:
    return KIND_TEXT.get(kind, str(kind))
