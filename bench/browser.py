"""The overview page in a real browser at benchmark size: first load, a second visit with the
browser's cache warm, a reload, a filter change.

    python bench/browser.py --contracts 175000 [--after-warm]
    python bench/browser.py --demo [--after-warm]

Needs the SQLite database bench/run.py left (bench/out/bench-<contracts>.db), or with --demo
a fresh SQLite file that the app fills with the demo as it starts;
playwright (requirements-dev.txt) and Debian's chromium. Starts streamlit on
that database with today fixed, waits for the app's own loaded state
([data-testid='stApp'][data-test-script-state='notRunning']) with the table
on screen (and, for the visits, both charts drawn by Plotly), and counts the websocket bytes
the browser receives and the bytes of files it fetched over the network (not from its cache).
The page's own clock (a MutationObserver, TIMELINE) gives when the first script run ended, when
the headline figures and the sidebar's filters were drawn (`..._figures_s`, and
`..._figures_after_loaded_s` after that end: negative when drawn before it) and when both charts
were (`..._charts_s`). The second visit opens a new tab in the same browser profile, as a manager's weekly visit
would: Streamlit names its JavaScript chunks by their content and serves them immutable, so
plotly's chunk comes from the cache.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "tests"))  # the chromium flags and helpers the browser tests use
from browser_support import CHROMIUM_ARGS, free_port, wait_healthy  # noqa: E402
from browser_support import LOADED as IDLE  # noqa: E402


def _settled(page, timeout_ms: int = 180_000) -> str | None:
    """Wait until the table (or an error) is drawn and the script finished its run; None when
    the table is on screen, else what went wrong. (A page that has only just connected
    reads as not running before its first run starts, so the state alone is not enough.)"""
    page.wait_for_selector(
        "[data-testid='stDataFrame'], [data-testid='stException']", state="attached", timeout=timeout_ms
    )
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    if page.locator("[data-testid='stDataFrame']").count():
        return None
    errors = page.locator("[data-testid='stExceptionMessage']")
    return errors.first.inner_text()[:400] if errors.count() else "no table on the page"


def _charts_drawn(page, timeout_ms: int = 120_000) -> None:
    """Wait until both of the overview's Plotly charts are drawn (plotly's chunk loaded and run)."""
    page.wait_for_function(
        "document.querySelectorAll(\"[data-testid='stPlotlyChart'] .main-svg\").length >= 2",
        timeout=timeout_ms,
    )


def _network_bytes(page) -> dict[str, int]:
    """A running count of the bytes page fetched over the network and of the responses its
    cache served (Chrome's own network events)."""
    counts = {"network_bytes": 0, "from_cache": 0}
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")

    def received(event: dict) -> None:
        response = event.get("response", {})
        if response.get("fromDiskCache") or response.get("fromMemoryCache"):
            counts["from_cache"] += 1

    def finished(event: dict) -> None:
        counts["network_bytes"] += int(event.get("encodedDataLength", 0))

    cdp.on("Network.responseReceived", received)
    cdp.on(
        "Network.requestServedFromCache",
        lambda event: counts.__setitem__("from_cache", counts["from_cache"] + 1),
    )
    cdp.on("Network.loadingFinished", finished)
    return counts


# Recorded in the page by the page's own clock (ms from the navigation's start), so that a main
# thread busy running plotly's code delays no reading: the end of the first script run, the
# headline figures and the sidebar's filters drawn (not their grey placeholders), both charts drawn
TIMELINE = """
window.paintTimes = {};
new MutationObserver(() => {
  const t = window.paintTimes, now = performance.now(), d = document;
  const state = d.querySelector("[data-testid='stApp']")?.getAttribute("data-test-script-state");
  if (state === "running") t.running = t.running ?? now;
  if (state === "notRunning" && t.running !== undefined) t.run_end = t.run_end ?? now;
  if (d.querySelector("[data-testid='stMetric']")
      && d.querySelector("[data-testid='stSidebar'] [data-testid='stMultiSelect']")) t.figures = t.figures ?? now;
  if (d.querySelectorAll("[data-testid='stPlotlyChart'] .main-svg").length >= 2) t.charts = t.charts ?? now;
}).observe(document, {subtree: true, childList: true, attributes: true});
"""


def _visit(page, url: str, result: dict, name: str) -> None:
    """Open url in page, wait for the table and both charts; record the time and what came over the wire."""
    fetched = _network_bytes(page)
    start = time.perf_counter()
    page.goto(url)
    result[f"{name}_error"] = _settled(page)
    _charts_drawn(page)
    result[f"{name}_s"] = time.perf_counter() - start
    result[f"{name}_mb_fetched"] = fetched["network_bytes"] / 2**20
    result[f"{name}_files_from_cache"] = fetched["from_cache"]
    page.wait_for_function("window.paintTimes.figures !== undefined", timeout=120_000)
    times = page.evaluate("window.paintTimes")
    # the headline figures and the sidebar's filters: when drawn, and how long after the first run
    # ended (their components load lazily; before issue 22's fix they waited for plotly's code)
    result[f"{name}_figures_s"] = times["figures"] / 1000
    result[f"{name}_figures_after_loaded_s"] = (times["figures"] - times["run_end"]) / 1000
    result[f"{name}_charts_s"] = times["charts"] / 1000


def _after_rerun(page, timeout_ms: int = 120_000) -> None:
    try:  # a rerun may finish before we look: do not insist on seeing it run
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='running']", timeout=3000)
    except Exception:
        pass
    return _settled(page, timeout_ms)


def measure(contracts: int, demo: bool = False, after_warm: bool = False) -> dict:
    """after_warm: the first visit comes once the server's log says its caches are warm
    (budgetcore/app/warm.py); else as soon as it accepts connections."""
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / ("demo.db" if demo else f"bench-{contracts}.db")
    if demo:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    elif not db.exists():
        raise SystemExit(f"{db} is missing: run bench/run.py --contracts {contracts} first")
    port = free_port()
    env = {
        **os.environ,
        "BUDGETCORE_DB_URL": f"sqlite:///{db}",
        "BUDGETCORE_TODAY": "2026-11-27",
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--browser.gatherUsageStats", "false"]
    log = OUT / "browser-server.log"
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    result: dict[str, object] = {"database": "the demo" if demo else f"{contracts:,} contracts"}
    result["load_before"] = os.getloadavg()
    try:
        began = time.perf_counter()
        if not wait_healthy(f"http://127.0.0.1:{port}", server, 60):
            raise SystemExit(f"streamlit did not start: see {log}")
        result["listening_after_s"] = time.perf_counter() - began
        if after_warm:
            while "caches warmed" not in log.read_text() and time.perf_counter() - began < 600:
                time.sleep(0.2)
            result["warmed_after_s"] = time.perf_counter() - began
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.add_init_script(TIMELINE)
            page = context.new_page()
            received = {"bytes": 0}

            def on_socket(ws) -> None:
                ws.on(
                    "framereceived",
                    lambda payload: received.__setitem__("bytes", received["bytes"] + len(payload)),
                )

            page.on("websocket", on_socket)
            url = f"http://127.0.0.1:{port}/"
            _visit(page, url, result, "first_load")
            result["first_load_mb_received"] = received["bytes"] / 2**20
            second = context.new_page()  # the same profile, its cache warm: a visit next week
            _visit(second, url, result, "warm_cache_visit")
            second.close()
            received["bytes"] = 0
            start = time.perf_counter()
            page.reload()
            result["reload_error"] = _settled(page)
            result["reload_s"] = time.perf_counter() - start
            result["reload_mb_received"] = received["bytes"] / 2**20
            _charts_drawn(page)  # a new session: its charts come in a run of their own after the first paint
            # a filter change: contract type preventive in the sidebar's multiselect
            received["bytes"] = 0
            page.locator(".st-key-f_type input").first.click()
            option = page.get_by_role("option", name=re.compile("preventi", re.IGNORECASE)).first
            option.wait_for(timeout=10_000)
            result["filter"] = option.inner_text()
            start = time.perf_counter()
            option.click()
            result["filter_error"] = _after_rerun(page)
            result["filter_change_s"] = time.perf_counter() - start
            result["filter_mb_received"] = received["bytes"] / 2**20
            page.screenshot(path=str(OUT / f"overview-{'demo' if demo else contracts}.png"), full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contracts", type=int, default=175_000)
    parser.add_argument("--demo", action="store_true", help="a fresh database the app fills with the demo")
    parser.add_argument("--after-warm", action="store_true", help="first visit once the caches are warm")
    args = parser.parse_args()
    result = measure(args.contracts, args.demo, args.after_warm)
    result["load_after"] = os.getloadavg()
    result["uptime"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    name = "demo" if args.demo else str(args.contracts)
    (OUT / f"browser-{name}{'-warm' if args.after_warm else ''}.json").write_text(
        json.dumps(result, indent=2)
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
