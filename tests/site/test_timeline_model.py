"""The API timeline (docs/data/api-timeline.yml, rustc-checked) against the model's release table.

Three places say when an API exists: the timeline (whose dates the compile harness probes), the
package's copy of those dates (bound_demo/api_timeline.json, read by the model's error
messages and the site's `{{ api() }}` macro), and the release table (bound_demo/versions.py).
These tests fail as soon as any two of them disagree.
"""

from __future__ import annotations

import json

import sitekit  # noqa: F401  (puts the repository root on sys.path)
import pytest

from bound_demo import versions
from bound_demo import timeline as model_timeline
from tools.rustcheck import timeline

# Release-table flag -> (timeline API, the states in which the flag must be true).
AVAILABLE = ("present", "deprecated")
FLAGS = {
    "with_gil_names": ("Python::with_gil", AVAILABLE),
    "with_gil_deprecated": ("Python::with_gil", ("deprecated",)),
    "attach_names": ("Python::attach", AVAILABLE),
    "bound_api": ("Bound<'py, T>", AVAILABLE),
    "gil_ref_api": ("GILPool", AVAILABLE),
    "py_clone": ("Clone for Py<T>", AVAILABLE),
    "bound_suffix": ("PyList::empty_bound", ("present",)),
}
BUILDS = [(r, ()) for r in versions.RELEASES] + [
    (r, (f,)) for f, rs in versions.FEATURES.items() for r in rs]


def test_the_model_copy_is_the_timeline():
    on_disk = json.loads(timeline.MODEL_COPY.read_text())
    assert on_disk == timeline.model_table(), (
        "bound_demo/api_timeline.json is stale: run `python -m tools.rustcheck.timeline --export`")


@pytest.mark.parametrize("release,features", BUILDS, ids=lambda v: str(v))
def test_release_table_agrees_with_timeline(release, features):
    prof = versions.profile(release, features)
    wrong = []
    for flag, (api, when) in FLAGS.items():
        state = model_timeline.state(api, release, features)
        if getattr(prof, flag) != (state in when):
            wrong.append(f"{flag}={getattr(prof, flag)} but the timeline says {api} is {state}")
    assert not wrong, f"PyO3 {release} {features}: " + "; ".join(wrong)


# Release-table names that the timeline covers with one row for a family of APIs.
FAMILY = {"Py::from_owned_ptr_or_err": "Py::from_owned_ptr", "Py::from_owned_ptr_or_opt": "Py::from_owned_ptr",
          "Py::from_borrowed_ptr_or_err": "Py::from_borrowed_ptr",
          "Py::from_borrowed_ptr_or_opt": "Py::from_borrowed_ptr",
          "PyAnyMethods::get_refcnt": "Py::get_refcnt", "PyBuffer::as_mut_slice": "PyBuffer::as_slice",
          "PyBuffer::as_fortran_slice": "PyBuffer::as_slice", "PyBuffer::as_fortran_mut_slice": "PyBuffer::as_slice"}


def test_release_table_api_dates_are_the_timeline_dates():
    """`versions.API_CHANGES` (deprecated in, removed in) for APIs no program op spells, where the
    release table has such a table: every row must be a timeline row, with the same dates."""
    changes = getattr(versions, "API_CHANGES", {})
    wrong = []
    for api, (deprecated, removed) in changes.items():
        row = model_timeline.table().get(FAMILY.get(api, api))
        if row is None:
            wrong.append(f"{api}: no timeline row (docs/data/api-timeline.yml)")
        elif (row.get("deprecated"), row.get("removed")) != (deprecated, removed):
            wrong.append(f"{api}: release table says deprecated {deprecated}, removed {removed}; "
                         f"the timeline says {row.get('deprecated')}, {row.get('removed')}")
    assert not wrong, "\n".join(wrong)


def test_every_model_release_has_a_check_crate():
    lines = timeline._lines()
    assert [r for r in versions.RELEASES if r not in lines] == []


def test_state_and_phrase_read_the_dates():
    assert model_timeline.phrase("Python::with_gil") == "deprecated in 0.26, removed in 0.28"
    assert model_timeline.phrase("Clone for Py<T>") == "behind the `py-clone` feature from 0.22"
    assert [model_timeline.state("GILPool", r) for r in ("0.20", "0.21", "0.22", "0.23")] == [
        "present", "deprecated", "gated", "removed"]
    assert model_timeline.state("GILPool", "0.22", ("gil-refs",)) == "deprecated"
    assert model_timeline.state("Python::attach", "0.25") == "absent"
    with pytest.raises(KeyError, match="not in the API timeline"):
        model_timeline.phrase("Python::no_such_api")


def test_model_messages_quote_the_timeline():
    from bound_demo.format.builder import Program

    prog = Program()
    with prog.with_gil():
        pass
    trace = __import__("bound_demo").run(prog, pyo3="0.28")
    assert trace.error is not None and trace.error.kind == "compile_error"
    assert model_timeline.phrase("Python::with_gil") in trace.error.message


def test_the_page_macro_renders_the_timeline_and_leaves_code_alone(caplog):
    import importlib.util

    spec = importlib.util.spec_from_file_location("bd_generated", sitekit.ROOT / "docs" / "hooks" / "generated.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    text = 'with_gil was {{ api("Python::with_gil") }}; write `{{ api("Python::with_gil") }}`.'
    assert hook.api_dates(text, "page.md") == (
        'with_gil was deprecated in 0.26, removed in 0.28; write `{{ api("Python::with_gil") }}`.')
    assert hook.api_dates('{{ api("Python::nope") }}', "page.md") == '{{ api("Python::nope") }}'
    assert "not in the API timeline" in caplog.text  # logged as an error: the strict build fails
