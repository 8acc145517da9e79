"""Drive the reviewer panel in a real browser: start `humangate ui` on a free loopback port, log in, click.

Used by ``tests/test_panel_e2e.py`` and ``bench/panel.py``. Playwright drives Debian's chromium
(``/usr/bin/chromium``); ``playwright install`` cannot download its own browser here. Selectors follow
the panel's element ids (Gradio puts ``elem_id`` on a component's wrapper, on a button itself).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

__all__ = [
    "ARTIFACTS",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "PanelServer",
    "add_user",
    "choose",
    "fill",
    "free_port",
    "header_item_id",
    "inbox_ids",
    "launch_browser",
    "login",
    "open_item",
    "open_tab",
    "screenshot",
]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
_ITEM_RE = re.compile(r"Item (\d+)")


def _env() -> dict[str, str]:
    # Offline and quiet: no analytics ping, no model download, output straight to the log file.
    return os.environ | {
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "HUMANGATE_MODEL": "offline",
        "PYTHONUNBUFFERED": "1",
        "NO_COLOR": "1",
    }


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "humangate.cli", *args]


def add_user(db_url: str, name: str, role: str, password: str) -> None:
    """Add a panel user through the CLI, as an operator would."""
    done = subprocess.run(
        _cli("users", "add", name, "--role", role, "--password", password, "--db", db_url),
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"`humangate users add {name}` failed ({done.returncode}):\n{done.stdout}{done.stderr}")


def free_port() -> int:
    """Return a loopback TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PanelServer:
    """A `humangate ui` subprocess on 127.0.0.1, its output in ``log_path``."""

    def __init__(self, db_url: str, log_path: Path, *, port: int | None = None) -> None:
        self.db_url = db_url
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90.0) -> PanelServer:
        """Start the server and return once it answers HTTP."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                _cli("ui", "--host", "127.0.0.1", "--port", str(self.port), "--db", self.db_url),
                stdout=log,
                stderr=subprocess.STDOUT,
                env=_env(),
                cwd=self.log_path.parent,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"`humangate ui` exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as resp:
                    if resp.status < 500:
                        return self
            except urllib.error.HTTPError as exc:
                if exc.code < 500:
                    return self
            except OSError:
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"`humangate ui` did not answer on {self.url} within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        """Return the end of the server's output."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Stop the server: SIGTERM, then SIGKILL after 10 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def __enter__(self) -> PanelServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def launch_browser(pw: Playwright) -> Browser:
    """Launch Debian's chromium headless with the flags that work in a container."""
    return pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def login(page: Page, url: str, user: str, password: str) -> None:
    """Sign in on Gradio's login page and wait for the inbox."""
    page.goto(url)
    page.get_by_label("username").fill(user)
    page.get_by_label("password").fill(password)
    page.get_by_role("button", name="Login").click()
    page.locator("#inbox-table").wait_for(timeout=30_000)


def open_tab(page: Page, name: str) -> None:
    """Switch to the tab called ``name``."""
    page.get_by_role("tab", name=name, exact=True).click()


def fill(page: Page, elem_id: str, text: str) -> None:
    """Type ``text`` into the textbox with this element id."""
    page.locator(f"#{elem_id} textarea, #{elem_id} input").first.fill(text)


def choose(page: Page, elem_id: str, value: str) -> None:
    """Pick ``value`` in the dropdown with this element id (labels may carry a count: "policy (3)")."""
    page.locator(f"#{elem_id} input").first.click()
    # Options are named by their aria-label, the choice's label; a hidden check mark sits in their text.
    name = re.compile(rf"^\s*{re.escape(value)}(\s*\(\d+\))?\s*$")
    page.locator(f"#{elem_id}").get_by_role("option", name=name).first.click()


def header_item_id(page: Page) -> int | None:
    """Return the id of the item the review view shows, or None."""
    m = _ITEM_RE.search(page.locator("#item-header").inner_text())
    return int(m.group(1)) if m else None


_VIEWPORT = "#inbox-table .virtual-table-viewport"


def inbox_ids(page: Page) -> list[int]:
    """Return the item ids of the inbox table's current page (scrolling the virtualised table through)."""
    cells = page.locator('#inbox-table [role="gridcell"][data-col="0"]')
    viewport = page.locator(_VIEWPORT)
    seen: dict[int, None] = {}
    viewport.evaluate("e => { e.scrollTop = 0 }")
    for _ in range(200):
        page.wait_for_timeout(50)
        for text in cells.all_inner_texts():
            if text.strip().isdigit():
                seen[int(text.strip())] = None
        before = viewport.evaluate("e => e.scrollTop")
        after = viewport.evaluate("e => { e.scrollTop += e.clientHeight * 0.8; return e.scrollTop }")
        if after == before:
            break
    viewport.evaluate("e => { e.scrollTop = 0 }")
    return list(seen)


def open_item(page: Page, item_id: int) -> None:
    """Click the item's row in the inbox (scrolling to it) and wait for the review view to show it."""
    open_tab(page, "Inbox")
    cell = page.locator('#inbox-table [role="gridcell"][data-col="0"]').filter(
        has_text=re.compile(rf"^\s*{item_id}\s*$")
    )
    viewport = page.locator(_VIEWPORT)
    viewport.evaluate("e => { e.scrollTop = 0 }")
    for _ in range(200):
        page.wait_for_timeout(50)
        if cell.count():
            break
        before = viewport.evaluate("e => e.scrollTop")
        after = viewport.evaluate("e => { e.scrollTop += e.clientHeight * 0.8; return e.scrollTop }")
        if after == before:
            raise AssertionError(f"item {item_id} is not in the inbox table")
    cell.first.click()
    wait_for_item(page, item_id)


def wait_for_item(page: Page, item_id: int, timeout: float = 20_000) -> None:
    """Wait until the review view shows ``item_id``."""
    page.wait_for_function(
        "id => { const h = document.querySelector('#item-header');"
        " return !!h && new RegExp('Item ' + id + '\\\\b').test(h.innerText) }",
        arg=item_id,
        timeout=timeout,
    )


def screenshot(page: Page, name: str, *, selectors: Sequence[str] = ()) -> Path:
    """Save a full-page screenshot to ``test-artifacts/<name>.png`` and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    for sel in selectors:
        page.locator(sel).screenshot(path=str(ARTIFACTS / f"{name}-{sel.strip('#')}.png"))
    return path
