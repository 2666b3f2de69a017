"""Step events: a short code per kind of step (`step.event`)."""

from __future__ import annotations

NAMES = (
    # ops
    "new", "clone", "clone_ref", "drop", "drop_ref", "unbind", "into_bound", "bind",
    "bind_borrowed", "as_borrowed", "to_owned", "into_gil_ref", "as_gil_ref", "into_py",
    "into_ref", "as_ref", "append", "get_item", "get_borrowed_item", "send", "return",
    "py_del", "probe",
    # machinery
    "implicit_drop", "scope_end", "pool_decref", "release_item", "drain_incref",
    "drain_decref", "gil_ensure", "gil_assumed", "gil_nested", "gil_release",
    "gil_assumed_end", "gil_nested_end", "allow_enter", "allow_exit", "trampoline_enter",
    "trampoline_exit", "pool_new", "pool_drop", "dealloc_enter", "dealloc_exit",
    "thread_enter", "thread_exit", "pyvar_set", "pyvar_discard", "block_result", "end", "error",
    # free-threaded builds (appended, so the codes above keep their values)
    "gc_collect", "stop_the_world", "brc_queue", "brc_merge", "gc_free",
    # pyclass fields, borrows and the collector (issue 13), appended likewise
    "set_field", "take_field", "clear_field", "gc_found", "gc_clear", "borrow",
    "borrow_release", "traverse_panic",
)


class _E:
    pass


E = _E()
for _i, _n in enumerate(NAMES):
    setattr(E, _n, _i)
CODE = {n: i for i, n in enumerate(NAMES)}
