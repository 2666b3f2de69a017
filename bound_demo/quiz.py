"""Prediction exercises for the notebooks: "predict the refcount / the pool / what happens".

    from bound_demo import quiz
    quiz.ask("loop-pool")          # shows the question; check, hints, reveal after an attempt

Every answer is *computed*: a question carries a program and the releases to run it under,
and the answer is read off the model's trace (`bound_demo.run`), so it is exact and never
written in a notebook. A notebook shows only the question id.

In a live Jupyter kernel with ipywidgets the question is a small widget: an input (a number,
or a choice), **Check**, **Hint** (one hint per press) and **Reveal** (enabled after the first
attempt). Everywhere else — nbclient, a static site, a terminal, or with the environment
variable ``BOUND_DEMO_STATIC=1`` — it renders as static HTML: the question, its choices, a
collapsed hint and a ``<details>`` reveal. The widget also carries that HTML as a fallback
in its output, so a saved notebook shows something sensible without a widget manager.

Public API:

* ``ask(question_id, static=None)`` — the displayable question (widget or static HTML).
* ``check(question_id, answer)`` — ``True`` if ``answer`` is right (for scripts and tests).
* ``ids(notebook=None)`` / ``get(question_id)`` — the question bank.
* ``Quiz(prompt, program, answer, ...)`` — a question of your own; ``.ask()``, ``.check()``.
  ``answer`` is a callable taking the trace (or, with several ``runs``, the list of traces)
  and returning an int or one of ``choices``; helpers ``refcount``, ``pool_size``,
  ``pending_decrefs``, ``pending_increfs``, ``gil_count``, ``alive``, ``outcome``, ``gc_found``
  and ``gc_freed`` build the common ones.
"""

from __future__ import annotations

import html
import os
from functools import cached_property

from .versions import DEFAULT_RELEASE

__all__ = ["ask", "check", "ids", "get", "Quiz", "OUTCOMES", "refcount", "pool_size",
           "pending_decrefs", "pending_increfs", "gil_count", "alive", "outcome", "gc_found",
           "gc_freed"]

# What a program's run can end in, as a learner would say it (keys: `trace.error.kind`).
OUTCOMES = {
    None: "it runs to the end",
    "compile_error": "it does not compile",
    "panic": "it panics",
    "abort": "the process aborts",
    "deadlock": "it deadlocks",
    "hang": "it never returns",
    "unsound": "undefined behaviour (the Rust breaks an unsafe contract)",
}


# ---- answer readers: each returns a callable trace -> value --------------------------------

def refcount(label, oid):
    """The refcount of ``oid`` at probe ``label`` (0 once the object is freed)."""
    def read(trace):
        ob = trace.at(label).objects[oid]
        return ob.refcount if ob.alive else 0
    read.what, read.label = f"the refcount of {oid} at `{label}`", label
    return read


def alive(label, oid):
    """"yes" if ``oid`` is still alive at probe ``label``, else "no"."""
    def read(trace):
        return "yes" if trace.at(label).objects[oid].alive else "no"
    read.what, read.label = f"whether {oid} is alive at `{label}`", label
    return read


def pool_size(label, thread="main"):
    """Entries in ``thread``'s owned-object pool (OWNED_OBJECTS) at probe ``label``."""
    def read(trace):
        th = trace.at(label).threads.get(thread)
        return len(th.owned) if th is not None else 0
    read.what, read.label = f"the size of `{thread}`'s owned-object pool at `{label}`", label
    return read


def pending_decrefs(label):
    """Decrefs waiting in the global reference pool at probe ``label``."""
    def read(trace):
        return len(trace.at(label).pending_decrefs)
    read.what, read.label = f"the number of pending decrefs at `{label}`", label
    return read


def pending_increfs(label):
    """Increfs waiting in the global reference pool at probe ``label``."""
    def read(trace):
        return len(trace.at(label).pending_increfs)
    read.what, read.label = f"the number of pending increfs at `{label}`", label
    return read


def gil_count(label, thread="main"):
    """PyO3's own counter (GIL_COUNT / ATTACH_COUNT) of ``thread`` at probe ``label``."""
    def read(trace):
        th = trace.at(label).threads.get(thread)
        return th.gil_count if th is not None else 0
    read.what, read.label = f"`{thread}`'s GIL_COUNT at `{label}`", label
    return read


def _last_gc(trace, label, part):
    """One part ("found" or "freed") of the last collection before probe ``label``."""
    gc = trace.at(label).last_gc
    value = gc.get(part) if isinstance(gc, dict) else getattr(gc, part, None)
    return list(value or ())


def gc_found(label):
    """How many objects the last `gc.collect()` before probe ``label`` found unreachable (what
    `gc.collect()` returns, whether it could free them or not)."""
    def read(trace):
        return len(_last_gc(trace, label, "found"))
    read.what, read.label = f"what gc.collect() returned before `{label}`", label
    return read


def gc_freed(label):
    """How many objects the last `gc.collect()` before probe ``label`` actually freed."""
    def read(trace):
        return len(_last_gc(trace, label, "freed"))
    read.what, read.label = f"how many objects gc.collect() freed before `{label}`", label
    return read


def outcome(trace):
    """How the run ends, as one of the `OUTCOMES` phrases."""
    return OUTCOMES[trace.error.kind if trace.error is not None else None]


outcome.what = "how the program ends"


# ---- a question -----------------------------------------------------------------------------

def _run_spec(run):
    """A run as (pyo3, features, cfg, free_threaded); the fourth may be left out (False)."""
    pyo3, features, cfg, *ft = run
    return pyo3, tuple(features), tuple(cfg), bool(ft and ft[0])


class Quiz:
    """One prediction question whose answer the model computes.

    ``program``: a program dict, a builder `Program`, or a scenario name. ``runs``: a list of
    ``(pyo3, features, cfg)``, or ``(pyo3, features, cfg, free_threaded)`` for a run on a
    free-threaded build; by default one run under ``pyo3``/``features``/``cfg``/``free_threaded``.
    ``answer``: callable on the trace (on the list of traces when there are several runs).
    ``choices``: the options for a multiple-choice question (the answer must be one of them);
    without choices the answer is an integer. ``hints``: shown one at a time. ``explain``: shown
    with the answer; ``{answer}`` in it is replaced by the computed answer.
    """

    def __init__(self, prompt, program, answer, *, pyo3=DEFAULT_RELEASE, features=(), cfg=(),
                 runs=None, choices=None, hints=(), explain="", qid=None, notebook=None,
                 rust=None, patch=None, free_threaded=False):
        self.prompt, self.program, self.reader = prompt, program, answer
        default = (pyo3, tuple(features), tuple(cfg), free_threaded)
        self.runs = [_run_spec(r) for r in runs] if runs else [default]
        self.choices = list(choices) if choices else None
        self.hints, self.explain = list(hints), explain
        self.id, self.notebook = qid, notebook
        self.rust = rust
        self.patch = patch  # a callable(program dict) -> program dict, applied to a scenario

    # -- the model's side --
    def _program(self):
        prog = self.program
        if isinstance(prog, str):
            from . import scenarios
            prog = scenarios.get(prog)
        elif hasattr(prog, "to_dict"):
            prog = prog.to_dict()
        if self.patch is not None:
            prog = self.patch(prog)
        return prog

    @cached_property
    def traces(self):
        """The traces the answer is read from (computed once)."""
        from . import run
        prog = self._program()
        return [run(prog, pyo3=p, features=f, cfg=c, free_threaded=ft) for p, f, c, ft in self.runs]

    @cached_property
    def answer(self):
        """The right answer, read off the model's trace(s)."""
        value = self.reader(self.traces[0] if len(self.traces) == 1 else self.traces)
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"question {self.id!r}: computed answer {value!r} is not one of "
                             f"its choices {self.choices!r}")
        return value

    def check(self, given) -> bool:
        """True if ``given`` is the right answer (ints may be given as text)."""
        if self.choices is None:
            try:
                return int(str(given).strip()) == self.answer
            except ValueError:
                return False
        if isinstance(given, int) and not isinstance(given, bool) and 0 <= given < len(self.choices):
            given = self.choices[given]
        return str(given).strip() == self.answer

    def explanation(self) -> str:
        return self.explain.replace("{answer}", str(self.answer))

    def steps_text(self, head=8, tail=8, around=6) -> list:
        """(index, caption) of the first run's steps for the reveal. A long run keeps its first
        `head` and last `tail` steps and the steps around the probe the answer reads, with
        `(None, "… n more steps …")` for each gap."""
        t = self.traces[0]
        out = []
        idx = self._kept_steps(t, head, tail, around)
        for k, i in enumerate(idx):
            if k and i != idx[k - 1] + 1:
                out.append((None, f"… {i - idx[k - 1] - 1} more steps …"))
            out.append((i, t.steps[i].caption))
        if t.error is not None:
            out.append((None, f"{t.error.kind}: {t.error.message}"))
        return out

    def _kept_steps(self, t, head, tail, around) -> list:
        """The step indices the reveal shows: all of a short run, else the ends and the probe."""
        n = len(t.steps)
        if n <= head + tail + 2 * around:
            return list(range(n))
        keep = set(range(min(head, n))) | set(range(max(0, n - tail), n))
        at = t.labels.get(getattr(self.reader, "label", None))
        if at is not None:
            keep |= set(range(max(0, at - around), min(n, at + 2)))
        return sorted(keep)

    def _steps_html(self) -> str:
        items = []
        for i, text in self.steps_text():
            mark = f"<b>{i}</b> " if i is not None else ""
            items.append(f"<li style='list-style:none'>{mark}{_md(text)}</li>")
        return f"<ul style='font-size:12px;padding-left:8px'>{''.join(items)}</ul>"

    def _runs_text(self) -> str:
        parts = []
        for p, f, c, ft in self.runs:
            extra = [f"+{x}" for x in f] + [f"--cfg {x}" for x in c] + (["free-threaded"] if ft else [])
            parts.append(" ".join([f"PyO3 {p}"] + extra))
        return ", ".join(parts)

    # -- display --
    def static_html(self) -> str:
        """The question as self-contained HTML: choices, a collapsed hint, a <details> reveal."""
        e = html.escape
        out = [f'<div class="bd-quiz" style="border:1px solid #0072B2;border-radius:6px;'
               f'padding:8px 12px;margin:6px 0">',
               f'<div><b>Predict</b> <span style="color:#555">({e(self._runs_text())}'
               f'{" · " + e(self.id) if self.id else ""})</span></div>',
               f"<div>{_md(self.prompt)}</div>"]
        if self.rust:
            out.append(f'<pre style="font-size:12px">{e(self.rust)}</pre>')
        out.append(self._choices_html())
        out += [f"<details><summary>{label}</summary><div>{_md(h)}</div></details>"
                for label, h in self._hints()]
        shown = self._answer_html()
        out.append(
            "<details><summary>Reveal the answer</summary>"
            f"<div><b>Answer:</b> {shown}</div>"
            f"<div>{_md(self.explanation())}</div>"
            f"<details><summary>The model, step by step ({e(self.traces[0].label)})</summary>"
            f"{self._steps_html()}</details>"
            "</details>")
        out.append("</div>")
        return "".join(out)

    def _choices_html(self) -> str:
        if not self.choices:
            return "<div><i>Answer with a whole number.</i></div>"
        return "<ol type='A'>" + "".join(f"<li>{html.escape(c)}</li>" for c in self.choices) + "</ol>"

    def _hints(self) -> list:
        """(label, hint) pairs: a lone hint is "Hint", several are numbered."""
        if len(self.hints) == 1:
            return [("Hint", self.hints[0])]
        return [(f"Hint {k}", h) for k, h in enumerate(self.hints, 1)]

    def _answer_html(self) -> str:
        """The answer as revealed: with its letter when the question has choices."""
        ans = self.answer
        if not self.choices:
            return html.escape(str(ans))
        return f"{'ABCDEFGH'[self.choices.index(ans)]}. {html.escape(ans)}"

    def ask(self, static=None):
        """A widget in a live kernel, else static HTML (see the module docstring)."""
        if static is None:
            static = _static_wanted()
        if static:
            return _Static(self.static_html())
        return _widget(self)

    def _repr_html_(self):
        return self.static_html()


def _md(text) -> str:
    """Escape, then allow `code` spans and **bold** (the only markup questions use)."""
    import re
    t = html.escape(text)
    t = re.sub(r"`([^`]+)`", r"<code>\1</code>", t)
    t = re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", t)
    return t.replace("\n\n", "<br><br>")


class _Static:
    def __init__(self, markup):
        self.data = markup

    def _repr_html_(self):
        return self.data

    def __repr__(self):
        return "<bound_demo quiz (HTML)>"


def _static_wanted() -> bool:
    if os.environ.get("BOUND_DEMO_STATIC", "") not in ("", "0"):
        return True
    try:
        from IPython import get_ipython
        shell = get_ipython()
    except ImportError:
        return True
    if shell is None or getattr(shell, "kernel", None) is None:
        return True
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return True
    return False


def _widget(q):
    import ipywidgets as W

    from .text.fallback import LIVE_CLASS, display_with_fallback

    class QuizWidget(W.VBox):
        """The live question. Its output also carries the static HTML as a fallback."""

        def __init__(self, quiz):
            self.quiz = quiz
            self.attempts, self.hints_shown = 0, 0
            self.prompt = W.HTML(
                f"<b>Predict</b> <span style='color:#555'>({html.escape(quiz._runs_text())})</span>"
                f"<div>{_md(quiz.prompt)}</div>"
                + (f"<pre style='font-size:12px'>{html.escape(quiz.rust)}</pre>" if quiz.rust else ""))
            if quiz.choices:
                self.input = W.RadioButtons(options=quiz.choices, value=None,
                                            layout=W.Layout(width="auto"))
            else:
                self.input = W.Text(placeholder="a whole number", layout=W.Layout(width="12em"))
            self.check_button = W.Button(description="Check", button_style="primary")
            self.hint_button = W.Button(description="Hint", disabled=not quiz.hints)
            self.reveal_button = W.Button(description="Reveal", disabled=True,
                                          tooltip="available after your first attempt")
            self.feedback = W.HTML()
            self.hint_box = W.HTML()
            self.reveal_box = W.HTML()
            self.check_button.on_click(lambda _: self.on_check())
            self.hint_button.on_click(lambda _: self.on_hint())
            self.reveal_button.on_click(lambda _: self.on_reveal())
            super().__init__([self.prompt, self.input,
                              W.HBox([self.check_button, self.hint_button, self.reveal_button]),
                              self.feedback, self.hint_box, self.reveal_box],
                             layout=W.Layout(border="1px solid #0072B2", padding="6px"))
            self.add_class(LIVE_CLASS)
            self.add_class("bd-live-quiz")
            self.feedback.add_class("bd-feedback")
            self.check_button.add_class("bd-check")

        def on_check(self):
            given = self.input.value
            if given in (None, ""):
                self.feedback.value = "<span style='color:#555'>Make a prediction first.</span>"
                return
            self.attempts += 1
            self.reveal_button.disabled = False
            if self.quiz.check(given):
                self.feedback.value = ("<span style='color:#009E73'><b>Right.</b></span> "
                                       + _md(self.quiz.explanation()))
                return
            extra = ""
            if self.quiz.choices is None:
                try:
                    extra = " (too high)" if int(str(given).strip()) > self.quiz.answer else " (too low)"
                except ValueError:
                    extra = " (a whole number, please)"
            self.feedback.value = (f"<span style='color:#D55E00'><b>Not quite{extra}.</b></span> "
                                   "Try again, take a hint, or reveal the answer.")

        def on_hint(self):
            if self.hints_shown < len(self.quiz.hints):
                self.hints_shown += 1
            self.hint_box.value = "".join(
                f"<div><b>Hint {k}:</b> {_md(h)}</div>"
                for k, h in enumerate(self.quiz.hints[:self.hints_shown], 1))
            if self.hints_shown == len(self.quiz.hints):
                self.hint_button.disabled = True

        def on_reveal(self):
            if not self.attempts:
                return
            ans = self.quiz.answer
            self.reveal_box.value = (
                f"<div><b>Answer:</b> {html.escape(str(ans))}</div><div>{_md(self.quiz.explanation())}</div>"
                f"<details><summary>The model, step by step</summary>"
                f"{self.quiz._steps_html()}</details>")

        def _ipython_display_(self):
            # JupyterLab never falls back to the bundle's text/html when the widget's model is
            # gone, so the static question goes into an output of its own (bound_demo.text.fallback).
            display_with_fallback(self, self.quiz.static_html())

        def _repr_mimebundle_(self, **kwargs):
            data = super()._repr_mimebundle_(**kwargs)
            if isinstance(data, tuple):
                data = data[0]
            data = dict(data or {})
            data["text/html"] = self.quiz.static_html()
            return data

    return QuizWidget(q)


# ---- the bank -------------------------------------------------------------------------------
# Programs are written in the program format (bound_demo.program/1). The release-neutral ops
# `gil` / `nogil` stand for with_gil/attach and allow_threads/detach.

def _op(op, **kw):
    d = {"op": op}
    d.update({("as" if k == "as_" else k): v for k, v in kw.items()})
    return d


def _blk(op, *body, **kw):
    return _op(op, body=list(body), **kw)


def _new(name, api="bound", type="object", items=None):
    d = _op("new", as_=name, type=type, api=api)
    if items:
        d["items"] = items
    return d


def _probe(label):
    return _op("probe", label=label)


def _prog(*ops):
    return {"format": "bound_demo.program/1", "ops": list(ops)}


def _records(list_api, rec_api, n):
    """Notebook 6's `records` function for n records (bound_demo.scenarios.records)."""
    from .scenarios import records
    return records(list_api, rec_api, n=n)


def _times(n):
    """Patch a scenario: set its first `repeat` to run n times."""
    from .scenarios import with_times
    return lambda prog: with_times(prog, n)


YES_NO = ["yes", "no"]
_BANK: dict = {}


def _add(qid, notebook, prompt, program, answer, **kw):
    _BANK[qid] = dict(qid=qid, notebook=notebook, prompt=prompt, program=program,
                      answer=answer, **kw)


# -- 1. refcounts and the GIL
_add("rc-list-append", 1,
     "A `#[pyfunction]` (PyO3 0.23) builds a list `lst`, creates an object `a` and appends it: "
     "`lst.append(&a)?`. What is the refcount of `a`'s object (o2) right after the append?",
     _prog(_blk("pyfunction", _new("lst", type="list"), _new("a"), _op("append", src="lst", item="a"),
                _probe("appended"), _op("return", src="lst"), name="make", as_="x"),
           _probe("returned")),
     refcount("appended", "o2"), pyo3="0.23",
     rust="let lst = PyList::empty(py);\nlet a = Bound::new(py, Obj {})?;\nlst.append(&a)?;",
     hints=["Count every holder: the Rust handle `a` is one.",
            "A list keeps its own strong reference to each item it holds."],
     explain="{answer}: one reference is owned by the Bound `a`, one by the list's slot.")
_add("rc-after-return", 1,
     "Same function: it returns `lst` to Python, which binds it to `x`. After the call, what "
     "is the refcount of the object `a` pointed to (o2)?",
     _prog(_blk("pyfunction", _new("lst", type="list"), _new("a"), _op("append", src="lst", item="a"),
                _op("return", src="lst"), name="make", as_="x"),
           _probe("returned")),
     refcount("returned", "o2"), pyo3="0.23",
     hints=["`a` went out of scope when the function returned. What did its drop do?",
            "Who still refers to o2 once `a` is gone?"],
     explain="{answer}: `a`'s drop released its reference; only the list (now Python's `x`) holds o2.")
_add("gil-count-nested", 1,
     "On PyO3 0.29, code calls `Python::attach` and, inside it, `Python::attach` again. "
     "What is the thread's ATTACH_COUNT inside the inner closure?",
     _prog(_blk("gil", _blk("gil", _probe("inner")))),
     gil_count("inner"), pyo3="0.29",
     hints=["The count is PyO3's own per-thread counter; each guard adds one."],
     explain="{answer}: from 0.22 on, a nested acquisition is an 'assumed' guard that adds one.")
_add("gil-count-detach", 1,
     "Inside `py.detach(|| ...)` (PyO3 0.29), what is the thread's ATTACH_COUNT?",
     _prog(_blk("gil", _blk("nogil", _probe("inside")))),
     gil_count("inside"), pyo3="0.29",
     hints=["detach saves the count and sets it to a value meaning 'not attached'."],
     explain="{answer}: detach (allow_threads) saves the count, sets it to 0 and restores it afterwards.")

# -- 2. GIL refs and the pool
_add("loop-pool", 2,
     "The #1056 loop on PyO3 0.20: `with_gil`, then 1000 iterations that each create a GIL ref "
     "`hello`. How many entries does the thread's owned-object pool hold right after the loop?",
     "gilref_loop", pool_size("after_loop"), pyo3="0.20", patch=_times(1000),
     hints=["`hello` going out of scope releases nothing: a GIL ref is a plain `&`.",
            "Only the GILPool's drop (end of with_gil) releases what was registered."],
     explain="{answer}: every iteration registered one object, and nothing is released until the pool drops.")
_add("loop-alive", 2,
     "Same loop, same moment (after the loop, still inside `with_gil`): is the object created "
     "in the first iteration (o1) still alive?",
     "gilref_loop", alive("after_loop", "o1"), pyo3="0.20", patch=_times(1000), choices=YES_NO,
     hints=["What holds o1's only reference?"],
     explain="{answer}: the pool holds o1's reference until with_gil ends.")
_add("with-pool-size", 2,
     "Now each iteration runs inside `py.with_pool(|py| ...)` (PyO3 0.20). How many entries "
     "are in the owned-object pool right after iteration 1000?",
     "with_pool_per_iteration", pool_size("after_loop"), pyo3="0.20", patch=_times(1000),
     hints=["A nested pool releases what was registered after its watermark when it drops."],
     explain="{answer}: each iteration's pool drops at the end of its closure, so the pool never grows.")
_add("pyfunction-022", 2,
     "A `#[pyfunction]` creates three GIL refs in a loop. On PyO3 0.22 with `gil-refs`, how many "
     "entries are still in the pool after Python's call has returned?",
     "pyfunction_pool", pool_size("after_call"), pyo3="0.22", features=("gil-refs",),
     hints=["In 0.20/0.21 every call's trampoline opens a GILPool. Did 0.22 keep that?"],
     explain="{answer}: 0.22's trampolines use an assumed guard with no pool, so GIL refs made in a "
             "#[pyfunction] stay registered (compare PyO3 issue #4630).")

# -- 3. Bound, Borrowed, Py
_BCLONE = _prog(_blk("gil", _new("a"), _op("clone", src="a", as_="b"), _op("clone", src="b", as_="c"),
                     _probe("cloned"), _op("drop", src="b"), _probe("dropped"),
                     _op("as_borrowed", src="a", as_="r"), _probe("borrowed"),
                     _op("unbind", src="c", as_="p"), _probe("unbound")))
_add("bound-clones", 3,
     "`let a = Bound::new(py, Obj {})?; let b = a.clone(); let c = b.clone();` — the refcount now?",
     _BCLONE, refcount("cloned", "o1"), pyo3="0.29",
     hints=["Each Bound owns one reference; `clone` makes a new owner."],
     explain="{answer}: three Bound handles, three references.")
_add("bound-borrow", 3,
     "Then `drop(b); let r = a.as_borrowed();` — the refcount now?",
     _BCLONE, refcount("borrowed", "o1"), pyo3="0.29",
     hints=["drop is -1 at once.", "A Borrowed owns nothing."],
     explain="{answer}: `a` and `c` own a reference each; the Borrowed `r` adds nothing.")
_add("bound-unbind", 3,
     "Then `let p = c.unbind();` (a `Py<Obj>`) — the refcount now?",
     _BCLONE, refcount("unbound", "o1"), pyo3="0.29",
     hints=["unbind moves ownership from the Bound into the Py."],
     explain="{answer}: `unbind` moves `c`'s reference into `p`; nothing is added or released.")
_add("tuple-borrowed", 3,
     "A tuple holds one object (refcount 1, owned by the tuple's slot). "
     "`let item = t.get_borrowed_item(0)?; let owned = item.to_owned();` — the refcount after `to_owned`?",
     "borrowed_is_free", refcount("owned", "o1"), pyo3="0.29",
     hints=["get_borrowed_item costs nothing; to_owned makes an owner."],
     explain="{answer}: the tuple's slot plus the new Bound `owned`.")

# -- 4. without the GIL
_add("thread-drop-queued", 4,
     "A `Py<Obj>` (refcount 1) is moved into a spawned thread that drops it without the GIL "
     "(PyO3 0.29). Back on the main thread, before anything attaches: how many decrefs wait "
     "in the reference pool?",
     "py_dropped_on_thread", pending_decrefs("queued"), pyo3="0.29",
     hints=["Without the GIL a decref cannot be applied; where does it go?"],
     explain="{answer}: the drop was queued in the global POOL; the object is still alive with refcount 1.")
_add("thread-drop-drained", 4,
     "Same program: the main thread then enters `Python::attach`. Is the object alive inside it?",
     "py_dropped_on_thread", alive("drained", "o1"), pyo3="0.29", choices=YES_NO,
     hints=["Attaching drains the queue right after the count goes up."],
     explain="{answer}: attaching applies the pending decref, the count reaches 0 and the object is freed.")
_add("clone-queued-020", 4,
     "PyO3 0.20: `let c2 = py.allow_threads(|| obj.clone());` where `obj: Py<Obj>` has refcount 2 "
     "(`obj` and an earlier clone `c1`). Refcount right after the `allow_threads` call?",
     "py_clone", refcount("after_allow_threads", "o1"), pyo3="0.20",
     hints=["Inside allow_threads the clone only queues its +1.",
            "When allow_threads returns, the queue is drained."],
     explain="{answer}: the queued incref was applied as allow_threads returned.")
_add("clone-022", 4,
     "The same code on PyO3 0.22 with the `py-clone` feature: what happens?",
     "py_clone", outcome, pyo3="0.22", features=("py-clone",), choices=list(OUTCOMES.values()),
     hints=["0.22 removed deferred increfs. What can `clone` do without the GIL then?"],
     explain="{answer}: Py::clone without the GIL panics from 0.22 on; use clone_ref(py) while attached.")
_add("race-020", 4,
     "PyO3 0.20: a thread clones a `Py` without the GIL and hands the clone back; then both "
     "owners are dropped on the main thread before any drain. What happens?",
     _prog(_blk("gil", _new("obj", api="py"), _op("clone_ref", src="obj", as_="r"),
                _op("send", src="r", to="t"),
                _blk("thread", _op("clone", src="r", as_="c2"), _op("return", src="c2"), name="t", as_="c"),
                _probe("queued"), _op("drop", src="obj"), _op("drop", src="c"))),
     outcome, pyo3="0.20", choices=list(OUTCOMES.values()),
     hints=["The clone's +1 is queued, but the drops on the main thread are applied at once.",
            "What is the refcount when the queued +1 is finally applied?"],
     explain="{answer}: the decrefs applied at once took the count to 0 before the queued +1 was "
             "applied, so the object was freed and the late incref lands on freed memory — the reason "
             "deferred increfs were removed in 0.22 (PyO3 #4105).")
_add("no-pool-abort", 4,
     "Built with `--cfg pyo3_disable_reference_pool` (PyO3 0.29), a thread without the GIL drops "
     "a `Py`. What happens?",
     "disable_reference_pool", outcome, pyo3="0.29", cfg=("pyo3_disable_reference_pool",),
     choices=list(OUTCOMES.values()),
     hints=["With no pool there is nowhere to queue the decref."],
     explain="{answer}: without a reference pool PyO3 cannot defer the decref (add "
             "`--cfg pyo3_leak_on_drop_without_reference_pool` to leak instead).")

# -- 5. across releases
_NESTED = _prog(_blk("gil", _blk("gil", _probe("inner"))))
_add("nested-020", 5,
     "A nested `with_gil` on PyO3 0.20: GIL_COUNT inside the inner closure?",
     _NESTED, gil_count("inner"), pyo3="0.20",
     hints=["In 0.20/0.21 an acquisition that finds the GIL already held does nothing at all."],
     explain="{answer}: 0.20/0.21 do nothing for a nested with_gil; 0.22+ count it.")
_add("nested-drain", 5,
     "A thread without the GIL drops a `Py` while the main thread is inside `with_gil`; the main "
     "thread then enters a *nested* `with_gil`. Run on 0.20, 0.21, 0.22, 0.23 and 0.29: in how "
     "many of these five releases has the pending decref been applied inside the nested block?",
     _prog(_blk("gil", _new("obj", api="py"), _op("clone_ref", src="obj", as_="r"),
                _op("send", src="r", to="t"), _blk("thread", _op("drop", src="r"), name="t"),
                _probe("pending"), _blk("gil", _probe("nested")))),
     lambda ts: sum(1 for t in ts if not t.at("nested").pending_decrefs),
     runs=[("0.20", (), ()), ("0.21", (), ()), ("0.22", (), ()), ("0.23", (), ()), ("0.29", (), ())],
     hints=["Which releases drain the queue when a guard is created, even a nested one?"],
     explain="{answer}: from 0.22 every guard, nested or not, drains the queue; 0.20/0.21 drain only "
             "when a pool is created or allow_threads ends.")
_add("renamed-with-gil", 5,
     "A program written with `Python::with_gil` (not the release-neutral `gil`) is run on PyO3 0.28. "
     "What happens?",
     _prog(_blk("with_gil", _new("a"))), outcome, pyo3="0.28", choices=list(OUTCOMES.values()),
     hints=["with_gil was renamed in 0.26. Deprecated names do not live for ever."],
     explain="{answer}: with_gil was deprecated in 0.26 and removed in 0.28; use Python::attach.")

_STATIC = _prog(_blk("gil", _new("obj", api="py"), _probe("before")))
_add("pool-static-030", 5,
     "A thread attaches and creates a `Py<Obj>`; nothing has ever been dropped without "
     "attachment. Run on 0.21, 0.28, 0.29 and 0.30: in how many of these four releases does "
     "the global reference pool POOL already exist at that point?",
     _STATIC, lambda ts: sum(1 for t in ts if t.at("before").reference_pool_initialised),
     runs=[("0.21", (), ()), ("0.28", (), ()), ("0.29", (), ()), ("0.30", (), ())],
     hints=["A plain `static` exists from the start; a `OnceLock` only once something fills it.",
            "0.22 made POOL lazy; 0.30 (#6200) made it a plain static again. And importing a "
            "0.29.3 module detaches once, on the way out of which POOL is filled."],
     explain="{answer}: 0.21 and 0.30 have POOL as a plain static; 0.28 creates it on the first "
             "drop without attachment; in 0.29.3 the module's import already filled it (its "
             "PyOnceLock detaches, and the end of a detach calls get_pool()).")
_add("leak-cfg-030", 6,
     "PyO3 0.30.1 built with `--cfg pyo3_disable_reference_pool` and "
     "`--cfg pyo3_leak_on_drop_without_reference_pool`: a `Py<Obj>` is dropped inside "
     "`py.detach(|| ...)`. What happens?",
     _prog(_blk("gil", _new("obj", api="py"), _blk("nogil", _op("drop", src="obj")))),
     outcome, pyo3="0.30",
     cfg=("pyo3_disable_reference_pool", "pyo3_leak_on_drop_without_reference_pool"),
     choices=list(OUTCOMES.values()),
     hints=["In 0.29 this leaks the object. Look at what `register_decref` takes in 0.30.",
            "It takes the `Py<T>` itself, and with both cfgs does nothing with it."],
     explain="{answer}: the unused `Py<T>` is dropped at the end of `register_decref`, still "
             "detached, which calls `register_decref` again, and so on for ever.")

# -- 6. migration
_add("migrate-gilrefs-peak", 6,
     "Stage 1 of the migration (PyO3 0.20, GIL refs): Python calls `records` once with n = 50. It "
     "builds the list with `PyList::empty(py)` and each record with `PyCell::new`, both GIL refs. "
     "How many entries are in the pool just before `records` returns?",
     _records("gil_ref", "gil_ref", 50),
     pool_size("before_return"), pyo3="0.20",
     hints=["The trampoline's pool drops only after the function returns.",
            "The list is a GIL ref too."],
     explain="{answer}: the list and each of the 50 records stay registered until the call's "
             "pool drops.")
_add("migrate-bound-peak", 6,
     "Stage 4 (PyO3 0.21, Bound API): `records` with `PyList::empty_bound` and `Bound::new`, "
     "again for n = 50. How many entries are in the pool just before it returns?",
     _records("bound", "bound", 50),
     pool_size("before_return"), pyo3="0.21",
     hints=["A Bound never touches the owned-object pool."],
     explain="{answer}: each Bound releases its object at the end of its iteration, and the "
             "list is owned by `out`, not by the pool.")

# -- 7. pitfalls
_add("as-ptr-closure", 7,
     "`let ptr = opt.map_or(std::ptr::null_mut(), |a| a.as_ptr());` where `opt: Option<Bound<Obj>>` "
     "holds the only reference. Is the object alive once the closure has returned?",
     _prog(_blk("gil", _new("a"), _probe("before"),
                _op("drop", src="a", note="the closure took `a` by value: it is dropped when the closure returns"),
                _probe("after_closure"))),
     alive("after_closure", "o1"), pyo3="0.29", choices=YES_NO,
     hints=["`map_or` takes the Option by value; the closure gets the Bound, not a reference."],
     explain="{answer}: the Bound was dropped at the end of the closure, so `ptr` dangles. Write "
             "`opt.as_ref().map_or(null_mut(), Bound::as_ptr)` instead.")
_add("bridge-into-gil-ref", 7,
     "PyO3 0.21: a Bound is turned into a GIL ref with `into_gil_ref()` inside `with_gil`. "
     "How many entries does the pool gain?",
     "gil_ref_bridges", pool_size("bridged"), pyo3="0.21",
     hints=["`as_gil_ref` borrows; `into_gil_ref` hands the reference over."],
     explain="{answer}: only `into_gil_ref` registers its object; the pool releases it at the end of with_gil.")
_add("deadlock-join", 7,
     "Inside `Python::attach`, the main thread spawns a thread that also attaches, and waits for it "
     "without detaching. What happens?",
     "deadlock", outcome, pyo3="0.29", choices=list(OUTCOMES.values()),
     hints=["Who holds the GIL while the main thread waits?"],
     explain="{answer}: the worker waits for the GIL that the waiting main thread still holds; "
             "wrap the join in `py.detach(...)`.")
_add("forgotten-handle", 7,
     "A `#[pyfunction]` returns an object to Python as `x`, but also stashes a `Py` clone of it "
     "(`clone_ref`) in a struct that lives on. Python runs `del x`. Refcount of the object after "
     "the `del`?",
     _prog(_blk("gil", _new("keep_src", api="py"), _probe("made"),
                _blk("pyfunction", _op("clone_ref", src="keep_src", as_="ret"),
                     _op("return", src="ret"), name="get", as_="x"),
                _op("py_del", src="x"), _probe("after_del"))),
     refcount("after_del", "o1"), pyo3="0.29",
     hints=["`del x` removes Python's reference only."],
     explain="{answer}: the forgotten Rust handle still owns a reference, so the object lives on.")


# -- 8. cycles and the collector
# One class per kind the design note measured (docs/design/pyclass-gc.md): no GC methods,
# __traverse__ + __clear__, __traverse__ only. Every cycle is orphaned (its names dropped)
# before the collection, as in the measured runs.
_GC_CLASSES = {"Plain": {"fields": ["next"], "traverse": False, "clear": False},
               "Trav": {"fields": ["next"], "traverse": True, "clear": True},
               "TravOnly": {"fields": ["next"], "traverse": True, "clear": False}}


def _gc_prog(*ops):
    return {"format": "bound_demo.program/1", "classes": _GC_CLASSES, "ops": [_blk("gil", *ops)]}


def _node(name, cls):
    return _op("new", as_=name, type="object", api="bound", **{"class": cls})


def _pair(cls, *after):
    """a.next = b; b.next = a; both names dropped; gc.collect(); then ``after``."""
    return _gc_prog(_node("a", cls), _node("b", cls),
                    _op("set_field", src="a", field="next", value="b"),
                    _op("set_field", src="b", field="next", value="a"),
                    _op("drop", src="a"), _op("drop", src="b"),
                    _op("gc_collect"), _probe("collected"), *after)


_PAIR_RUST = ("a.borrow_mut().next = Some(b.clone().into_any().unbind());\n"
              "b.borrow_mut().next = Some(a.clone().into_any().unbind());\n"
              "drop(a); drop(b);\n"
              "py.run(c\"import gc; gc.collect()\", None, None)?;")
_add("gc-plain-pair", 8,
     "Two nodes of a `#[pyclass]` **without** `__traverse__` point at each other; both names are "
     "dropped, then `gc.collect()` runs (PyO3 0.29). How many objects does it free?",
     _pair("Plain"), gc_freed("collected"), pyo3="0.29", rust=_PAIR_RUST,
     hints=["After the drops, each node's refcount is 1: the other node's field.",
            "What can the collector see of a class that reports no references?"],
     explain="{answer}: without __traverse__ the fields are invisible, the references look external, "
             "and the cycle is never even found.")
_add("gc-trav-pair", 8,
     "The same pair, now with `__traverse__` (visits `next`) and `__clear__` (sets it to `None`). "
     "How many objects does `gc.collect()` free?",
     _pair("Trav"), gc_freed("collected"), pyo3="0.29", rust=_PAIR_RUST,
     hints=["The collector subtracts the references it was shown. What is left of each count?"],
     explain="{answer}: both counts fall to zero inside the group, so the pair is unreachable; "
             "__clear__ breaks it and ordinary deallocation frees both.")
_add("gc-travonly-returned", 8,
     "Now `__traverse__` but **no** `__clear__`. What does `gc.collect()` *return* (the number of "
     "unreachable objects it found)?",
     _pair("TravOnly"), gc_found("collected"), pyo3="0.29",
     hints=["Finding a cycle and freeing it are two different things."],
     explain="{answer}: the cycle is visible, so it is found and counted.")
_add("gc-travonly-second", 8,
     "Same class, same pair: after the first `gc.collect()`, a second one runs. How many objects "
     "does the **second** collection free?",
     _pair("TravOnly", _op("gc_collect"), _probe("again")), gc_freed("again"), pyo3="0.29",
     hints=["What could the first collection call to break the cycle?"],
     explain="{answer}: nothing on the cycle can be cleared, so every collection finds it again "
             "and none frees it.")
_add("gc-travonly-list", 8,
     "A `__traverse__`-only node whose field holds a list that holds the node (`a.next = [a]`), "
     "names dropped. How many objects does `gc.collect()` free?",
     _gc_prog(_node("a", "TravOnly"), _op("new", as_="l", type="list", api="bound", items=["a"]),
              _op("set_field", src="a", field="next", value="l"),
              _op("drop", src="a"), _op("drop", src="l"),
              _op("gc_collect"), _probe("collected")),
     gc_freed("collected"), pyo3="0.29",
     hints=["A list is a GC type with a clear function of its own."],
     explain="{answer}: the list's clear drops its item, the node's count reaches zero, and the "
             "node's drop releases the list: one clearable member frees the whole cycle.")

# -- exercises: one checked question at the end of each notebook
_add("ex-append-twice", 1,
     "Exercise: the `make` function appends `a` to the list **twice** (`lst.append(&a)?;` two "
     "times). Refcount of `a`'s object (o2) right after the second append?",
     _prog(_blk("pyfunction", _new("lst", type="list"), _new("a"), _op("append", src="lst", item="a"),
                _op("append", src="lst", item="a"), _probe("appended"), _op("return", src="lst"),
                name="make", as_="x")),
     refcount("appended", "o2"), pyo3="0.23",
     hints=["A list slot is an owner; two slots are two owners."],
     explain="{answer}: the handle `a` plus one reference per list slot.")
_add("ex-with-gil-pool-022", 2,
     "Exercise: the four-iteration #1056 loop (GIL Refs inside `with_gil`) on PyO3 0.22 with "
     "`gil-refs`. How many entries are in the pool right after the loop?",
     "gilref_loop", pool_size("after_loop"), pyo3="0.22", features=("gil-refs",),
     hints=["In 0.22 + gil-refs, a `with_gil` that really takes the GIL still opens a GILPool; "
            "only the #[pyfunction] trampoline lost its pool."],
     explain="{answer}: the Ensured with_gil of 0.22 + gil-refs still opens a pool, so the loop grows it as in 0.20.")
_add("ex-clone-ref", 3,
     "Exercise: `let a = Bound::new(py, Obj {})?; let p = a.clone().unbind(); let p2 = p.clone_ref(py);` "
     "— refcount now?",
     _prog(_blk("gil", _new("a"), _op("clone", src="a", as_="c"), _op("unbind", src="c", as_="p"),
                _op("clone_ref", src="p", as_="p2"), _probe("done"))),
     refcount("done", "o1"), pyo3="0.29",
     hints=["`clone` is +1, `unbind` moves, `clone_ref` is +1."],
     explain="{answer}: `a`, `p` and `p2` each own a reference.")
_add("ex-drop-in-detach", 4,
     "Exercise: inside `Python::attach`, `obj: Py<Obj>` gives a `clone_ref` to a worker thread; "
     "the main thread enters `py.detach(...)`, during which the worker drops its clone. Refcount "
     "of the object right after `detach` returns?",
     _prog(_blk("gil", _new("obj", api="py"), _op("clone_ref", src="obj", as_="r"),
                _op("send", src="r", to="worker"),
                _blk("nogil", _blk("thread", _op("drop", src="r"), name="worker"), _probe("inside")),
                _probe("after_detach"))),
     refcount("after_detach", "o1"), pyo3="0.29",
     hints=["The worker's drop is queued; what does the end of detach do with the queue?"],
     explain="{answer}: the queued decref was applied as detach ended, leaving only `obj`'s reference.")
_add("ex-nested-gil-ref-020", 5,
     "Exercise: PyO3 0.20, a GIL Ref is created inside a **nested** `with_gil`. Right after the "
     "inner closure returns, is its object still alive?",
     "nested_with_gil_gil_refs", alive("after_inner", "o1"), pyo3="0.20", choices=YES_NO,
     hints=["Which pool did the nested with_gil open?"],
     explain="{answer}: the nested with_gil opened no pool in 0.20, so the object belongs to the outer pool.")
_add("ex-half-other-way", 6,
     "Exercise: migrate the other way round — records become `Bound` first while the list is "
     "still a GIL Ref (`PyList::empty`), on PyO3 0.21, three records. Pool size just before "
     "`records` returns?",
     _prog(_blk("pyfunction", _new("out", api="gil_ref", type="list"),
                _blk("repeat", _new("rec"), _op("append", src="out", item="rec"), times=3),
                _probe("before_return"), _op("return", src="out"), name="records", as_="result")),
     pool_size("before_return"), pyo3="0.21",
     hints=["Only GIL Refs are registered in the pool."],
     explain="{answer}: only the list is still a GIL Ref; each Bound record released its own reference.")
_add("ex-into-gil-ref-loop", 7,
     "Exercise: PyO3 0.21, inside `with_gil`, a 10-iteration loop creates a `Bound` and calls "
     "`into_gil_ref()` on it each time. Pool size after the loop?",
     _prog(_blk("gil", _blk("repeat", _new("b"), _op("into_gil_ref", src="b", as_="g"), times=10),
                _probe("after_loop"))),
     pool_size("after_loop"), pyo3="0.21",
     hints=["Each `into_gil_ref` hands one reference to the pool."],
     explain="{answer}: one entry per iteration, released only when with_gil's pool drops.")


# -- 9. No GIL: PyO3 on free-threaded Python
_OUTCOME_CHOICES = [OUTCOMES[k] for k in (None, "deadlock", "hang", "unsound")]
_GIL_FT = [("0.28", (), (), False), ("0.28", (), (), True)]


def _second(reader):
    """Read the answer off the second run (the free-threaded one) of a two-run question."""
    def read(traces):
        return reader(traces[1])
    read.what, read.label = getattr(reader, "what", ""), getattr(reader, "label", None)
    return read


def _pair(traces):
    """Both outcomes of a GIL-then-free-threaded pair, as one phrase."""
    gil, ft = (outcome(t) for t in traces)
    return f"GIL build: {gil}; free-threaded: {ft}"


_PAIR_CHOICES = [f"GIL build: {OUTCOMES[a]}; free-threaded: {OUTCOMES[b]}"
                 for a, b in (("deadlock", None), ("deadlock", "hang"), (None, None), (None, "hang"))]
_GC_IN_WORKER = _prog(_blk("gil", _new("obj", api="py"),
                           _blk("thread", _blk("gil", _op("gc_collect")), name="worker")))
_GC_DETACHED = _prog(_blk("gil", _new("obj", api="py"),
                          _blk("nogil", _blk("thread", _blk("gil", _op("gc_collect")), name="worker"))))
_SHARED_LIST = _prog(_blk("gil", _new("x"), _new("l", type="list", items=["x"]),
                          _op("clone", src="l", as_="l2"), _op("unbind", src="l2", as_="lp"),
                          _op("send", src="lp", to="w"),
                          _blk("nogil", _blk("thread", _blk("gil", _op("bind", src="lp", as_="wl"),
                               _op("get_item_unchecked", src="wl", index=0, as_="y")), name="w"))))

_add("ft-join-pair", 9,
     "`ft_join_attached` (PyO3 0.28): main is attached and waits for a worker that attaches. "
     "How does it end on the GIL build, and on the free-threaded build (3.13t)?",
     "ft_join_attached", _pair, runs=_GIL_FT, choices=_PAIR_CHOICES,
     hints=["With a GIL, attaching means taking the one lock main is holding.",
            "On a free-threaded build, does attaching exclude anyone?"],
     explain="{answer}. Free-threaded, several threads are attached at once, so the worker runs.")
_add("ft-join-queued", 9,
     "Same program, free-threaded: the worker drops the `Py` of main's list. Is the list (o1) "
     "still alive right after the worker's drop?",
     "ft_join_attached", _second(alive("worker_dropped", "o1")), runs=_GIL_FT, choices=YES_NO,
     hints=["Biased reference counting: a thread that does not own an object cannot always "
            "decref it on the spot.", "Who owns o1, and is that thread running?"],
     explain="{answer}: the decref is queued for main, the owner, and stays queued until main merges it.")
_add("ft-first-attach", 9,
     "`ft_first_attach`: main, attached, joins a thread that has never attached before. On the "
     "free-threaded build of PyO3 0.28 (3.13t), how does it end?",
     "ft_first_attach", outcome, pyo3="0.28", free_threaded=True, choices=_OUTCOME_CHOICES,
     hints=["On 3.13t, the first thread state of a thread other than main stops the world once.",
            "A stop-the-world pause waits for every attached thread. Is main ever going to move?"],
     explain="{answer}: the pause waits for main, and main waits for the thread. 3.14t (0.29) has no such pause.")
_add("ft-first-attach-314", 9,
     "The same program on PyO3 0.29, built for 3.14t. How does it end?",
     "ft_first_attach", outcome, pyo3="0.29", free_threaded=True, choices=_OUTCOME_CHOICES,
     hints=["Which CPython does 0.29 build for, and does it pause for a first thread state?"],
     explain="{answer}: 3.14t does not stop the world for a new thread state.")
_add("ft-gc-in-worker", 9,
     "PyO3 0.29, free-threaded: main attaches, then waits for a worker that attaches and calls "
     "`gc.collect()`. How does it end?",
     _GC_IN_WORKER, outcome, pyo3="0.29", free_threaded=True, choices=_OUTCOME_CHOICES,
     rust='Python::attach(|py| {\n    let obj: Py<PyAny> = ...;\n    s.spawn(|| Python::attach(|py| '
          'py.import("gc")?.call_method0("collect"))).join();\n});',
     hints=["A collection on a free-threaded build stops the world.",
            "Main is attached and blocked in the join: does it ever reach a safe point?"],
     explain="{answer}: the collection waits for main to detach or reach a safe point; main never does.")
_add("ex-ft-gc-detached", 9,
     "Exercise: the same, but main joins inside `py.detach(...)`. How does it end?",
     _GC_DETACHED, outcome, pyo3="0.29", free_threaded=True, choices=_OUTCOME_CHOICES,
     hints=["What does a stop-the-world pause wait for, and is main still attached?"],
     explain="{answer}: a detached thread does not hold up the pause, so the collection completes.")
_add("ex-ft-gil-used", 9,
     "Exercise: `ft_join_attached` on the free-threaded build of PyO3 **0.27**, whose module does "
     "not say `gil_used` at all. How does it end?",
     "ft_join_attached", outcome, pyo3="0.27", free_threaded=True, choices=_OUTCOME_CHOICES,
     hints=["Up to 0.27, what does a `#[pymodule]` declare when it says nothing?",
            "What does CPython do when it imports a module that needs the GIL?"],
     explain="{answer}: the import enabled the GIL (with a RuntimeWarning), so the GIL build's "
             "deadlock is back. `#[pymodule(gil_used = false)]`, the default from 0.28, avoids it.")
_add("ex-ft-unchecked", 9,
     "Exercise: main keeps a list and sends a clone of it to a worker, which calls "
     "`unsafe { wl.get_item_unchecked(0) }` on the free-threaded build of 0.29. How does the "
     "model judge it?",
     _SHARED_LIST, outcome, pyo3="0.29", free_threaded=True, choices=_OUTCOME_CHOICES,
     hints=["Read the `# Safety` section of `get_item_unchecked`: what does it ask for on a "
            "free-threaded build?"],
     explain="{answer}: another thread holds the list and could change it meanwhile; without a "
             "GIL nothing stops it. `get_item` (or the list's critical section) is the safe way.")


_add("ex-gc-by-hand", 8,
     "Exercise: the `Plain` pair (no GC methods), but before dropping the names the program "
     "takes `a.next` out (`let n = a.borrow_mut().next.take();`) and drops `n`. Then both names "
     "are dropped. How many objects does the following `gc.collect()` find?",
     _gc_prog(_node("a", "Plain"), _node("b", "Plain"),
              _op("set_field", src="a", field="next", value="b"),
              _op("set_field", src="b", field="next", value="a"),
              _op("take_field", src="a", field="next", as_="n"), _op("drop", src="n"),
              _op("drop", src="a"), _op("drop", src="b"),
              _op("gc_collect"), _probe("collected")),
     gc_found("collected"), pyo3="0.29",
     hints=["With one edge gone, is there still a cycle when the names are dropped?"],
     explain="{answer}: refcounting freed both nodes at the drops; there was nothing left to find.")


def ids(notebook=None) -> list:
    """Question ids in the bank, optionally only those of one notebook (1–9)."""
    return [k for k, v in _BANK.items() if notebook is None or v["notebook"] == notebook]


_CACHE: dict = {}


def get(question_id) -> Quiz:
    """The `Quiz` for an id of the bank (KeyError with the known ids if unknown)."""
    if question_id not in _BANK:
        raise KeyError(f"no question {question_id!r}; known: {', '.join(_BANK)}")
    q = _CACHE.get(question_id)
    if q is None:
        spec = dict(_BANK[question_id])
        q = _CACHE[question_id] = Quiz(spec.pop("prompt"), spec.pop("program"),
                                       spec.pop("answer"), **spec)
    return q


def ask(question_id, static=None):
    """Show a question of the bank: a widget in a live kernel, else static HTML."""
    return get(question_id).ask(static=static)


def check(question_id, answer) -> bool:
    """True if ``answer`` is right for the bank's question ``question_id``."""
    return get(question_id).check(answer)
