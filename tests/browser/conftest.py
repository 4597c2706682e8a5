"""Browser tests: the real app under uvicorn on a free port, driven by Debian's Chromium.

The server runs in a subprocess (``microlend serve``) against a fresh SQLite database, migrated
and seeded with the demo company (``microlend migrate``, ``microlend demo``), as ``make run``
starts it. Chromium is required: when ``/usr/bin/chromium`` is missing the tests fail (they never
skip).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
MICROLEND = Path(sys.executable).with_name("microlend")  # the venv's console script
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
STARTUP_SECONDS = 30
# Chromium logs every 4xx response; the tests provoke some (a wrong password, an own approval).
EXPECTED_CONSOLE = re.compile(r"Failed to load resource: the server responded with a status of 4")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def microlend(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(MICROLEND), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"microlend {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def wait_until_serving(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"the server did not answer within {STARTUP_SECONDS}s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a running microlend with the demo data."""
    workdir = tmp_path_factory.mktemp("live")
    env = {
        **os.environ,
        "MICROLEND_DATABASE_URL": f"sqlite:///{workdir / 'browser.db'}",
        "PYTHONUNBUFFERED": "1",
    }
    microlend("migrate", env=env)
    # the demo's whole year by close of business takes minutes (make run does it); the pages
    # need a history, not every day of it closed: the last days are enough here
    microlend("demo", "--eod-days", "5", env=env)
    port = free_port()
    log = workdir / "server.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [str(MICROLEND), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base_url, server, log)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: run `make system-deps` (apt chromium)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) whose preferred language is English."""
    ctx = browser.new_context(
        base_url=live_server, locale="en-US", viewport={"width": 1280, "height": 800}
    )
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A tab whose script errors and console errors (a CSP violation, an htmx failure) fail the
    test."""
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    tab.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and not EXPECTED_CONSOLE.search(message.text)
            else None
        ),
    )
    yield tab
    assert problems == []


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
