"""Shared by the browser tests: Debian's chromium with the flags that work here, and a
`streamlit run dashboard.py` on a database of the test's choosing. Chromium missing is a
failure, never a skip: CI installs it (.ci/run)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    # one renderer process per tab rather than per site (the tests open one site, the app's): a
    # page load took about 15 % less CPU (1.10 against 1.3 s, 8 loads of the overview and the
    # renewals, twice each)
    "--disable-site-isolation-trials",
    "--disable-features=site-per-process,IsolateOrigins",
]
# what every browser context of the tests is opened with: a user who prefers reduced motion (the
# app's transitions are not drawn frame by frame): about 15 % less Chromium CPU a page load, its
# compositor's share a third of what it was (3.6-4.2 against 4.2-5.7 s for the renewals, the
# overview and the import page, twice each)
CONTEXT = {"reduced_motion": "reduce"}
LOADED = "[data-testid='stApp'][data-test-script-state='notRunning']"
PIDS: dict[str, int] = {}  # base URL -> the streamlit process serving it (for its peak memory)


def launch(p: Playwright) -> Browser:
    assert Path(CHROMIUM).exists() or shutil.which("chromium"), (
        f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)"
    )
    return p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def shot(page: Page, name: str, *, full_page: bool = False) -> None:
    """A screenshot of page as name.png in the folder BUDGETCORE_SHOTS names, for a person to look
    at; none without it (each costs the browser a render and a PNG: about half a second)."""
    folder = os.environ.get("BUDGETCORE_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)


def wait_healthy(base: str, proc: subprocess.Popen | None, timeout: float) -> bool:
    """True once the server at base answers /_stcore/health; False if proc exits first or
    timeout seconds pass (tests and bench/ say so each their own way)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_app(
    db_url: str, log: Path, *, port: int | None = None, secrets: Path | None = None, **env: str
) -> Iterator[str]:
    """Run the dashboard on db_url (extra environment in env), on port (default: a free one)
    with the secrets file given (default: none); yields its base URL once healthy."""
    with streamlit_apps(db_url, [log], port=port, secrets=secrets, **env) as (base,):
        yield base


@contextmanager
def streamlit_apps(
    db_url: str, logs: list[Path], *, port: int | None = None, secrets: Path | None = None, **env: str
) -> Iterator[list[str]]:
    """As streamlit_app, one server per log (each on a free port; port only for one), all
    started at once and stopped at once; yields their base URLs once every one is healthy."""
    assert port is None or len(logs) == 1
    extra = ["--secrets.files", str(secrets)] if secrets else []
    inherited = {k: v for k, v in os.environ.items() if k != "BUDGETCORE_NO_DEMO"}
    environment = {**inherited, "BUDGETCORE_DB_URL": db_url, **env}
    servers: list[tuple[str, Path, subprocess.Popen]] = []
    try:
        for log in logs:
            base = f"http://127.0.0.1:{port or free_port()}"
            with log.open("w") as out:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
                     "--server.port", base.rsplit(":", 1)[1], "--server.address", "127.0.0.1",
                     "--browser.gatherUsageStats", "false",
                     *(extra or ["--secrets.files", str(log.parent / "none.toml")])],
                    cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT,
                )  # fmt: skip
            servers.append((base, log, proc))
        for base, log, proc in servers:
            if not wait_healthy(base, proc, 30):
                pytest.fail(f"streamlit did not start:\n{log.read_text()[-3000:]}")
            PIDS[base] = proc.pid
        yield [base for base, _, _ in servers]
    finally:
        for _, _, proc in servers:
            proc.terminate()
        for _, _, proc in servers:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
