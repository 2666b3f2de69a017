"""Pages, or parts of pages, generated from data at build time.

- ``<!-- bd-api-timeline -->``: the API timeline table, from docs/data/api-timeline.yml (the same
  file tools/rustcheck turns into compile probes).
- ``<!-- bd-simplifications -->``: every ``Simplification:`` note in bound_demo/'s source, with
  the file and line it sits on, so the list of places the model departs from PyO3 cannot drift.
- ``<!-- bd-witness-results -->``: the model next to real PyO3: every program the site animates,
  run under every witness build present on the building machine, probe by probe.
- ``<!-- bd-rustcheck-summary -->``: how many snippets and probes the last harness run checked.
- ``{{ api("Python::with_gil") }}`` in prose: that API's dates from the timeline, in words
  ("deprecated in 0.26, removed in 0.28"). Pages state when an API came or went only through
  this macro, so the sentence carries the dates rustc checked; the model's compile errors use
  the same words (bound_demo.timeline.phrase). An unknown name fails the strict build.
"""

from __future__ import annotations

import html
import json
import logging
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
TIMELINE = ROOT / "docs" / "data" / "api-timeline.yml"
RUSTCHECK = ROOT / ".build" / "rustcheck" / "report.json"
log = logging.getLogger("mkdocs.hooks.generated")


def _cell(value) -> str:
    return "—" if value in (None, "") else str(value).replace("|", "\\|").replace("\n", " ")


def api_timeline() -> str:
    rows = yaml.safe_load(TIMELINE.read_text())["apis"]
    out = ["| API | Added | Deprecated | Behind a feature | Removed | Use instead | Checked |",
           "|---|---|---|---|---|---|---|"]
    for r in rows:
        gated = f"{r['gated']} (`{r['gate']}`)" if "gated" in r else None
        checked = "probe compiled" if "probe" in r else "—"
        out.append(f"| `{r['api']}` | {_cell(r.get('added'))} | {_cell(r.get('deprecated'))} | "
                   f"{_cell(gated)} | {_cell(r.get('removed'))} | {_cell(r.get('replaced_by'))} | {checked} |")
    notes = [f"- **`{r['api']}`**: {r['note'].strip()}" for r in rows if r.get("note")]
    return "\n".join(out) + ("\n\n" + "\n".join(notes) if notes else "") + "\n"


MARK = "Simplification:"


def _notes(lines: list[str]) -> list[tuple[int, str]]:
    """(line number, text) of every note. A note starts at the marker, in a comment or a
    docstring, and runs over the following lines of the same comment or docstring paragraph,
    up to a blank line, the closing quotes, or the next marker."""
    notes = []
    for i, line in enumerate(lines):
        at = line.find(MARK)
        if at < 0:
            continue
        in_comment = "#" in line[:at]
        text = [line[at + len(MARK):].split(MARK)[0].strip()]
        for nxt in lines[i + 1:]:
            s = nxt.strip()
            if in_comment:
                if not s.startswith("#") or not s.lstrip("#").strip():
                    break
                s = s.lstrip("#").strip()
            elif not s or s.startswith(('"""', "'''")):
                break
            closing = s.endswith(('"""', "'''"))
            s = s.rstrip("\"'").strip() if closing else s
            text.append(s.split(MARK)[0].strip())
            if MARK in s or closing:
                break
        notes.append((i + 1, " ".join(t for t in text if t)))
    return notes


def simplifications() -> str:
    items = []
    for path in sorted((ROOT / "bound_demo").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for line, text in _notes(path.read_text().splitlines()):
            items.append(f"- {html.escape(text)} <small>(`{rel}`, line {line})</small>")
    if not items:
        return ("!!! note \"Nothing tagged yet\"\n    No `Simplification:` note exists in `bound_demo/` "
                "yet; this list fills itself in as the model's source gains them.\n")
    return f"{len(items)} places where the model is simpler than PyO3:\n\n" + "\n".join(items) + "\n"


def _programs() -> list[Path]:
    """Every program the site animates: the package's scenarios and the pages' own."""
    return sorted((ROOT / "bound_demo" / "scenarios").glob("*.json")) + sorted((ROOT / "docs" / "programs").glob("*.json"))


def _compare(program: Path, pyo3: str, features: tuple, cfg: tuple) -> tuple[int, list[str], str] | None:
    """(probes compared, differences, how it ended) between the model and real PyO3, or None
    when the program is not written for this release (both reject it as a compile error)."""
    import bound_demo
    from bound_demo import witness

    model = bound_demo.run(str(program), pyo3=pyo3, features=features, cfg=cfg)
    real = witness.run(str(program), pyo3=pyo3, features=features, cfg=cfg)
    diffs = []
    model_error = model.error.kind if model.error else None
    real_error = real.error.kind if real.error else None
    if model_error != real_error:
        diffs.append(f"model stops with {model_error}, PyO3 with {real_error}")
    labels = list(dict.fromkeys(label for label, _ in real.probes))
    if model_error == real_error == "compile_error" and not labels:
        return None
    for label in labels:
        try:
            mine = model.at(label).objects
        except KeyError:
            diffs.append(f"probe '{label}' not reached by the model")
            continue
        for oid, obj in real.at(label).objects.items():
            if obj.shared:
                continue
            m = mine.get(oid)
            if m is None or (m.refcount, m.alive) != (obj.refcount, obj.alive):
                seen = "absent" if m is None else f"{m.refcount}/{'alive' if m.alive else 'freed'}"
                diffs.append(f"'{label}' {oid}: model {seen}, PyO3 {obj.refcount}/{'alive' if obj.alive else 'freed'}")
    return len(labels), diffs, real_error or "runs to the end"


def witness_results() -> str:
    """Run every program under every witness build on this machine, next to the model."""
    try:
        from bound_demo import witness

        builds = witness.available_builds()
    except ImportError:
        builds = []
    if not builds:
        return ("!!! note \"No witness builds in this build\"\n"
                "    The real-PyO3 extension modules were not built on the machine that built this "
                "site (`scripts/build-witness.sh` needs Rust), so no comparison is shown.\n")
    rows, runs, agree = [], 0, 0
    for program in _programs():
        for pyo3, features, cfg in builds:
            try:
                result = _compare(program, pyo3, features, cfg)
            except Exception as exc:  # fails the strict build, naming the run that broke
                log.error("witness comparison of %s under %s %s %s: %s: %s",
                          program.name, pyo3, features, cfg, type(exc).__name__, exc)
                continue
            if result is None:
                continue
            probes, diffs, ending = result
            runs += 1
            agree += not diffs
            build = pyo3 + "".join(f" + {f}" for f in features) + "".join(f" + `--cfg {c}`" for c in cfg)
            rows.append(f"| `{program.stem}` | {build} | {probes} | {ending} | "
                        f"{'yes' if not diffs else '**no**'} | {_cell('; '.join(diffs))} |")
    head = (f"Computed while this page was built: **{agree} of {runs}** runs agree with real PyO3 "
            f"on every refcount and liveness at every probe, and on how the program ends (a "
            f"panic, an abort, or running to the end).\n\n"
            "| Program | PyO3 build | Probes | Ends | Agrees | Differences |\n|---|---|---|---|---|---|")
    return head + "\n" + "\n".join(rows) + "\n"


def rustcheck_summary() -> str:
    if not RUSTCHECK.exists():
        return "*The compile harness has not run before this build, so no figures are shown.*\n"
    report = json.loads(RUSTCHECK.read_text())
    if report.get("skipped"):
        return f"*The compile harness was skipped in this build: {report['skipped']}.*\n"
    snippets = report["snippets"]
    files = [s for s in snippets if not s["file"].startswith("timeline:") and s["release"] != "cargo"]
    probes = [s for s in snippets if s["file"].startswith("timeline:")]
    graphs = [s for s in snippets if s["release"] == "cargo"]
    releases = sorted({s["release"] + "".join("+" + f for f in s["features"]) for s in files})
    ok = sum(s["ok"] for s in snippets)
    return (f"Last run (rustc {report['toolchain']}): **{len(files)}** example files against "
            f"**{len(releases)}** PyO3 builds ({', '.join(releases)}) and **{len(probes)}** timeline "
            f"probes, and **{len(graphs)}** Cargo dependency graphs; {ok} of {len(snippets)} as "
            f"promised; {report['seconds']} s.\n")


DIFFERENTIAL = ROOT / "docs" / "data" / "differential.json"


def differential() -> str:
    """The last full differential run (`python -m bound_demo.witness.differential --write
    docs/data/differential.json`): scenarios and random programs per build, mismatches."""
    d = json.loads(DIFFERENTIAL.read_text())
    out = [f"Run on {d['date']} with CPython {d['python']}: "
           f"**{sum(b['random_programs'] for b in d['builds']):,} random valid programs** and "
           f"**{sum(b['scenarios'] for b in d['builds'])} scenario runs**, "
           f"**{d['mismatches']} mismatches**.", "",
           "| PyO3 | features | cfg | scenarios | random programs | of these, compile errors on both sides | seconds |",
           "|---|---|---|---|---|---|---|"]
    for b in d["builds"]:
        out.append(f"| {b['pyo3']} | {_cell(', '.join(b['features']))} | {_cell(', '.join(b['cfg']))} "
                   f"| {b['scenarios']} | {b['random_programs']:,} | {b['rule_checked_only']:,} | {b['seconds']} |")
    return "\n".join(out)


MARKERS = {
    "bd-api-timeline": api_timeline,
    "bd-simplifications": simplifications,
    "bd-witness-results": witness_results,
    "bd-rustcheck-summary": rustcheck_summary,
    "bd-differential": differential,
}


API_MACRO = re.compile(r'\{\{\s*api\(\s*"([^"]+)"\s*\)\s*\}\}')
# Code is left alone, so a page can show the macro itself: fenced blocks and inline code spans
# are matched first and put back unchanged.
CODE_OR_MACRO = re.compile(r"(?P<code>^[ \t]*```.*?^[ \t]*```|`[^`\n]+`)|" + API_MACRO.pattern, re.M | re.S)


def api_dates(markdown: str, where: str) -> str:
    """Replace every `{{ api("NAME") }}` with NAME's history from the timeline."""
    from bound_demo import timeline

    def one(match: re.Match) -> str:
        if match.group("code") is not None:
            return match.group(0)
        try:
            return timeline.phrase(match.group(2))
        except KeyError as exc:
            log.error("%s: %s", where, exc.args[0])
            return match.group(0)

    return CODE_OR_MACRO.sub(one, markdown)


def on_page_markdown(markdown, page, config, files):
    markdown = api_dates(markdown, page.file.src_uri)
    for name, render in MARKERS.items():
        marker = f"<!-- {name} -->"
        if marker in markdown:
            markdown = markdown.replace(marker, render())
    return markdown
