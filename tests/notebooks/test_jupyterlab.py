"""(d) A notebook as a student meets it: real JupyterLab on 127.0.0.1, driven in Debian's
Chromium by playwright (never `playwright install`).

Runs every cell of notebook 1, steps a live player with its Next button and answers a
question with Check, and asserts that the frame, the counter and the feedback change, with no
"Error displaying widget" anywhere. Then it saves the notebook, shuts the kernel down and
opens it again, as a student reopening yesterday's work: every widget output must show its
static stand-in (player or question), and both must work without a kernel: the player steps,
the question's hint and answer open. No "model not found" line may be visible.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .nbkit import NOTEBOOKS, in_ci

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
TOKEN = "bd-notebook-test"
NOTEBOOK = next(p for p in NOTEBOOKS if p.name.startswith("01-"))


def _need(tool: str, path: str | None = None) -> str:
    found = path if path and os.path.exists(path) else shutil.which(tool)
    if not found:
        if in_ci():
            pytest.fail(f"{tool} is needed for the JupyterLab test (CI=true: a missing tool fails)")
        pytest.skip(f"{tool} is not installed")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(base: str, path: str, method: str = "GET"):
    req = urllib.request.Request(f"{base}{path}?token={TOKEN}", method=method)
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
    return json.loads(body) if body else None


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a free localhost port, serving a copy of notebook 1."""
    from bound_demo.views.render import dot_binary
    try:
        dot_binary()
    except Exception as e:  # noqa: BLE001
        if in_ci():
            raise
        pytest.skip(f"Graphviz `dot` is needed by the players: {e}")
    root = tmp_path_factory.mktemp("lab")
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    home = root / ".home"  # Keeps the server's settings and workspaces out of the user's.
    port = _free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
    env.pop("BOUND_DEMO_STATIC", None)
    # Render every cell (no windowing), so each output is in the DOM however far down it is.
    tracker = home / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    log = open(root / "lab.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={TOKEN}",
         "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly", "--ServerApp.port_retries=0"]
        + (["--allow-root"] if os.geteuid() == 0 else []),
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            _api(base, "/api/status")
            break
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.3)
    else:
        proc.terminate()
        pytest.fail(f"JupyterLab did not start: {(root / 'lab.log').read_text()[-2000:]}")
    if proc.poll() is not None:
        pytest.fail(f"JupyterLab exited: {(root / 'lab.log').read_text()[-2000:]}")
    yield base, root
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def page(lab):
    chromium = _need("chromium", "/usr/bin/chromium")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        pg = browser.new_page(viewport={"width": 1300, "height": 900})
        yield pg
        browser.close()


def _open(page, base):
    page.goto(f"{base}/lab/tree/{NOTEBOOK.name}?token={TOKEN}&reset", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    # JupyterLab may ask which kernel to start; the notebook's own (python3) is preselected.
    try:
        page.locator(".jp-Dialog button.jp-mod-accept").click(timeout=5_000)
    except Exception:  # noqa: BLE001 - no dialog this time
        pass
    page.wait_for_function(
        "() => document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status === 'idle'",
        timeout=60_000)


def _run_all(page, n_code: int):
    # Not awaited: the command's promise settles only when every cell has run.
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    # Every code cell has a number in its prompt, and none is still running ([*]).
    page.wait_for_function(
        """(n) => {
            const ps = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
                .map(e => e.textContent);
            return ps.length === n && ps.every(t => /\\[\\d+\\]/.test(t));
        }""", arg=n_code, timeout=90_000)


def _visible_text(page) -> str:
    return page.inner_text(".jp-Notebook")


def test_run_all_then_step_a_player_and_check_a_question(lab, page):
    base, root = lab
    import nbformat
    n_code = sum(c.cell_type == "code" for c in nbformat.read(NOTEBOOK, as_version=4).cells)
    _open(page, base)
    _run_all(page, n_code)
    text = page.content()
    assert "Error displaying widget" not in text
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0

    # The first live player: its counter and frame move with Next.
    player = page.locator(".bd-live-player").first
    player.wait_for(timeout=30_000)
    counter = player.locator(".bd-counter")
    before_counter = counter.inner_text()
    assert before_counter.startswith("step 1 / ")
    frame = player.locator(".bd-frame").first
    before_frame = frame.inner_html()
    assert "<svg" in before_frame
    player.locator("button.bd-next").click()
    page.wait_for_function(
        "(el) => !el.textContent.startsWith('step 1 /')", arg=counter.element_handle(), timeout=10_000)
    assert counter.inner_text() == before_counter.replace("step 1 /", "step 2 /")
    assert frame.inner_html() != before_frame and "<svg" in frame.inner_html()

    # The first question (rc-list-append, answer 2): a wrong guess gets "Not quite (too low)".
    quiz = page.locator(".bd-live-quiz").first
    feedback = quiz.locator(".bd-feedback")
    assert feedback.inner_text().strip() == ""
    quiz.locator("input[type='text']").fill("1")
    quiz.locator("button.bd-check").click()
    page.wait_for_function("(el) => el.textContent.trim() !== ''", arg=feedback.element_handle(),
                           timeout=10_000)
    assert feedback.inner_text().startswith("Not quite (too low).")
    quiz.locator("input[type='text']").fill("2")
    quiz.locator("button.bd-check").click()
    page.wait_for_function("(el) => el.textContent.startsWith('Right.')", arg=feedback.element_handle(),
                           timeout=10_000)

    # While the widgets are live, their static stand-ins are hidden.
    assert page.locator(".bd-fallback").count() >= 2
    assert all(not e.is_visible() for e in page.locator(".bd-fallback").all())
    assert "Error displaying widget" not in _visible_text(page)


def _step_number(counter) -> int:
    return int(counter.inner_text().split()[1])


def test_live_player_by_keyboard_alone_and_in_the_dark_theme(lab, page):
    """Tab reaches the live player's Next button and Enter steps it; then, in JupyterLab's dark
    theme with a dark colour scheme, the highlighted line and every frame text keep 4.5:1."""
    from tests.views.contrast import FRAME_TEXT_JS, LINE_JS
    player = page.locator(".bd-live-player").first
    counter = player.locator(".bd-counter")
    start = _step_number(counter)
    # Focus lands on "previous" as a Tab into the controls would leave it; from there on,
    # only keys: Tab past the play widget's own buttons to Next, then Enter.
    player.locator("button.bd-previous").focus()
    for _ in range(12):
        if page.evaluate("() => document.activeElement.classList.contains('bd-next')"):
            break
        page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('bd-next')")
    page.keyboard.press("Enter")
    page.wait_for_function("([el, n]) => el.textContent.startsWith(`step ${n} /`)",
                           arg=[counter.element_handle(), start + 1], timeout=10_000)
    # The focus ring is visible on the focused control (an outline, not the default none).
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"

    page.emulate_media(color_scheme="dark")
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', "
                  "{theme: 'JupyterLab Dark'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    try:
        lines = [e.evaluate(LINE_JS) for e in player.locator("[data-bd-line-current]").all()]
        texts = [t for svg in player.locator(".bd-frame svg").all() for t in svg.evaluate(FRAME_TEXT_JS)]
    finally:
        page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', "
                      "{theme: 'JupyterLab Light'})")
        page.emulate_media(color_scheme="light")
    assert lines and texts
    assert min(x["contrast"] for x in lines) >= 4.5, lines
    assert min(t["contrast"] for t in texts) >= 4.5, min(texts, key=lambda t: t["contrast"])
    # The live frame's type is as large as the static player's: no text under 11 px.
    assert min(t["px"] for t in texts) >= 11, min(texts, key=lambda t: t["px"])


def test_reopened_notebook_shows_the_static_stand_ins(lab, page):
    base, root = lab
    page.evaluate("() => { window.jupyterapp.commands.execute('docmanager:save'); }")
    kinds = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not kinds:
        time.sleep(0.5)  # Until the save has reached the disk.
        saved = json.loads((root / NOTEBOOK.name).read_text())
        kinds = [set(o.get("data", {})) for c in saved["cells"] if c["cell_type"] == "code"
                 for o in c.get("outputs", [])]
    assert any("application/vnd.jupyter.widget-view+json" in k for k in kinds)
    assert "widgets" not in saved["metadata"] or not saved["metadata"]["widgets"]
    # The student comes back later: the kernel (and every widget model) is gone.
    for s in _api(base, "/api/sessions"):
        _api(base, f"/api/sessions/{s['id']}", method="DELETE")
    _open(page, base)
    page.wait_for_timeout(3_000)  # The widget manager gives up on missing models after ~2 s.
    stand_ins = page.locator(".bd-fallback")
    assert stand_ins.count() >= 2
    assert all(e.is_visible() for e in stand_ins.all())
    assert page.locator(".bd-fallback [data-bd-player]").count() >= 1
    assert page.locator(".bd-fallback .bd-quiz").count() >= 1
    assert page.locator(".bd-live-player, .bd-live-quiz").count() == 0
    # JupyterLab did write its error line (the models really are gone), but it is hidden.
    assert "Error displaying widget: model not found" in page.content()
    visible = _visible_text(page)
    assert "Error displaying widget" not in visible
    # The static player works without a kernel: its own Next button steps it.
    player = page.locator(".bd-fallback [data-bd-player]").first
    counter = player.locator(".bd-counter")
    assert counter.inner_text().startswith("step 1 / ")
    player.locator("[data-bd-action='next']").click()
    assert counter.inner_text().startswith("step 2 / ")
    # The static question works too: its first hint and its answer open (rc-list-append: 2).
    quiz = page.locator(".bd-fallback .bd-quiz").first
    for label, opened in (("Hint 1", "Count every holder"), ("Reveal the answer", "Answer: 2")):
        body = quiz.locator(f"details:has(> summary:text-is('{label}')) > div").first
        assert not body.is_visible()
        quiz.locator("summary", has_text=label).first.click()
        assert body.is_visible() and body.inner_text().startswith(opened), body.inner_text()
