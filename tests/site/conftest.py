"""Shared fixtures for the site checks: one strict build per test session, and a local server.

The build goes to a temporary directory, so running the tests never touches a site/ that a
writer is serving. Measurements (build time, page sizes) are printed at the end of the session
and written to .build/site-report.json; they are reported, never asserted, because the
machine running the tests is shared.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sitekit import MEASURES, REPORT, ROOT


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """Build the site once with `mkdocs build --strict` (notebooks executed, cache off)."""
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("BD_NOTEBOOK_CACHE", None)  # every notebook runs, as in CI
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    MEASURES["build_seconds"] = round(time.monotonic() - start, 1)
    if proc.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{proc.stderr[-6000:]}")
    MEASURES["build_log"] = proc.stderr
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output readable
        pass


@pytest.fixture(scope="session")
def site_url(built_site):
    """Serve the built site on 127.0.0.1 (a random free port) for the browser checks."""
    handler = functools.partial(_Quiet, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session", autouse=True)
def _report(request):
    yield
    if not MEASURES:
        return
    MEASURES.pop("build_log", None)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(MEASURES, indent=1))
    tr = request.config.pluginmanager.get_plugin("terminalreporter")
    if tr is not None:
        tr.write_line("")
        tr.write_line(f"site: build {MEASURES.get('build_seconds')} s; largest page "
                      f"{MEASURES.get('largest_page')} ({MEASURES.get('largest_page_kb')} kB incl. "
                      f"its scripts and styles); report in {REPORT.relative_to(ROOT)}")
