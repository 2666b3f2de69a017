"""Benchmark (not a test): the static player's script time per step, in real Chromium.

    .venv/bin/python -m tests.views.bench_player [SITE_DIR]

Without SITE_DIR it builds a page with the views' benchmark trace (views/bench.py, about
100 steps) and a lockstep pair; with one (a built site), it opens every page that has a
player. Each step is timed with performance.now() around a synchronous click on "next",
so the figure is the handler's script time (frame swap, listing, caption), not style,
layout or paint. Steps are 120 ms apart, as a reader clicks. Target: <= 16 ms. It also
prints the heaviest page.
"""
from __future__ import annotations

import functools
import http.server
import statistics
import sys
import tempfile
import threading
from pathlib import Path

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

# Steps 120 ms apart, as a quick reader clicks (autoplay waits 900 ms): the player uses the
# pause to parse the next frame's new groups, as it would for a person.
STEP_ALL_JS = """async (root) => {
  var next=root.querySelector('[data-bd-action="next"]'),n=+root.getAttribute('data-bd-steps'),out=[];
  root.querySelector('[data-bd-action="first"]').click();
  for(var i=1;i<n;i++){
    await new Promise(function(r){setTimeout(r,120)});
    var t=performance.now();next.click();out.push(performance.now()-t)}
  return out;
}"""


def _own_page(folder: Path) -> list:
    import bound_demo
    from bound_demo.views import player_html
    from bound_demo.views.bench import program
    prog = program(11)
    one = bound_demo.run(prog, pyo3="0.21")
    pair = [bound_demo.run(prog, pyo3="0.20"), bound_demo.run(prog, pyo3="0.21")]
    body = player_html(one, title="bench") + player_html(pair, title="pair")
    page = folder / "index.html"
    page.write_text(f'<!doctype html><meta charset="utf-8"><body>{body}</body>', encoding="utf-8")
    return [page]


def _serve(folder: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from playwright.sync_api import sync_playwright
    tmp = tempfile.TemporaryDirectory()
    folder = Path(argv[0]) if argv else Path(tmp.name)
    files = sorted(folder.rglob("*.html")) if argv else _own_page(folder)
    files = [f for f in files if "data-bd-player" in f.read_text(encoding="utf-8")]
    server = _serve(folder)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    times, worst_page = [], ("", 0.0)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        for f in files:
            page.goto(base + f.relative_to(folder).as_posix())
            for root in page.locator("[data-bd-player]").all():
                t = root.evaluate(STEP_ALL_JS)
                times += t
                if t and max(t) > worst_page[1]:
                    worst_page = (f.relative_to(folder).as_posix(), max(t))
        browser.close()
    server.shutdown()
    sizes = sorted(((f.stat().st_size, f.relative_to(folder).as_posix()) for f in files), reverse=True)
    print(f"pages with players: {len(files)}; steps timed: {len(times)}")
    print(f"static player step script time: median {statistics.median(times):.2f} ms, "
          f"p95 {sorted(times)[int(len(times) * 0.95)]:.2f} ms, worst {max(times):.2f} ms "
          f"(on {worst_page[0]})  target <= 16 ms")
    print(f"heaviest page HTML: {sizes[0][1]} {sizes[0][0] / 1e6:.3f} MB  target <= 1 MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
