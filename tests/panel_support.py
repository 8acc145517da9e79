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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

__all__ = [
    "ARTIFACTS",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "DECISION_CONTROLS",
    "PanelServer",
    "Session",
    "add_user",
    "choose",
    "click_cell",
    "fill",
    "free_port",
    "header_item_id",
    "inbox_ids",
    "launch_browser",
    "login",
    "off_screen",
    "open_item",
    "open_tab",
    "pick_reason",
    "review_session",
    "screenshot",
    "shown_kind",
    "unfocus",
    "wait_for_item",
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
    """A `humangate ui` subprocess on 127.0.0.1, its output in ``log_path``; ``env`` adds to its environment."""

    def __init__(
        self, db_url: str, log_path: Path, *, port: int | None = None, env: Mapping[str, str] | None = None
    ) -> None:
        self.db_url = db_url
        self.env = dict(env or {})
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
                env=_env() | self.env,
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


def click_cell(page: Page, table_id: str, text: re.Pattern[str]) -> None:
    """Click the first cell of a virtualised table whose text matches ``text``, scrolling the table to it."""
    cell = page.locator(f'#{table_id} [role="gridcell"]').filter(has_text=text)
    viewport = page.locator(f"#{table_id} .virtual-table-viewport")
    page.locator(f'#{table_id} [role="gridcell"]').first.wait_for()
    viewport.evaluate("e => { e.scrollTop = 0 }")
    for _ in range(400):
        page.wait_for_timeout(50)
        if cell.count():
            cell.first.click()
            return
        before = viewport.evaluate("e => e.scrollTop")
        after = viewport.evaluate("e => { e.scrollTop += e.clientHeight * 0.8; return e.scrollTop }")
        if after == before:
            break
    raise AssertionError(f"no cell of #{table_id} matches {text.pattern!r}")


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


def screenshot(page: Page, name: str, *, selectors: Sequence[str] = (), full_page: bool = True) -> Path:
    """Save a screenshot (the whole page, or the window) to ``test-artifacts/<name>.png`` and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    for sel in selectors:
        page.locator(sel).screenshot(path=str(ARTIFACTS / f"{name}-{sel.strip('#')}.png"))
    return path


DECISION_CONTROLS = (
    "#btn-approve",
    "#btn-save-edit",
    "#btn-reject",
    "#btn-redirect",
    "#btn-escalate",
    "#reason-code label",
    "#decision-note textarea",
    "#redirect-instructions textarea",
    "#escalate-role input",
)
"""Every control a decision needs: the five buttons, each reason code, note, instructions, escalation role."""


def pick_reason(page: Page, code: str) -> None:
    """Click the reason code ``code`` (its label reads "KEY code")."""
    page.locator("#reason-code label").filter(has_text=re.compile(rf"^\s*\S+ {re.escape(code)}\s*$")).click()


def unfocus(page: Page) -> None:
    """Move the focus out of any text field, so that the panel's keys act."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")


def off_screen(page: Page, selectors: Sequence[str] = DECISION_CONTROLS) -> list[str]:
    """Scroll the page to its top and return each control that is missing or not wholly inside the viewport."""
    page.evaluate("() => window.scrollTo(0, 0)")
    size = page.viewport_size or {"width": 0, "height": 0}
    bad: list[str] = []
    for sel in selectors:
        found = page.locator(sel).all()
        if not found:
            bad.append(f"{sel}: not on the page")
        for i, loc in enumerate(found):
            box = loc.bounding_box()
            if box is None or not loc.is_visible():
                bad.append(f"{sel} #{i}: hidden")
            elif (
                box["x"] < 0
                or box["y"] < 0
                or box["x"] + box["width"] > size["width"]
                or (box["y"] + box["height"] > size["height"])
            ):
                bad.append(f"{sel} #{i}: {box} outside {size['width']}x{size['height']}")
    return bad


def shown_kind(page: Page) -> str:
    """Return which typed form the review view shows: brief, reply, email or fields."""
    if page.locator("#proposal-summary textarea").is_visible():
        return "brief"
    if page.locator("#proposal-fixed-subject").is_visible():
        return "reply"
    subject = page.locator("#proposal-subject")
    if subject.is_visible():
        return "reply" if "of the reply" in subject.inner_text() else "email"
    return "fields"


@dataclass
class Session:
    """What a scripted review session did: per decision the item, its form, the action and the seconds taken."""

    items: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    scrolled: int = 0  # decisions during which the page had scrolled away from its top
    off_screen: dict[str, list[str]] = field(default_factory=dict)  # per form kind, on its first item


def _next_shown(page: Page, old: int, timeout: float) -> bool:
    """Wait until the header shows another item (True) or says nothing is left (False)."""
    page.wait_for_function(
        "old => { const h = document.querySelector('#item-header'); if (!h) return false;"
        " const m = /Item (\\d+)/.exec(h.innerText);"
        " return (m && Number(m[1]) !== old) || /Nothing to review/.test(h.innerText); }",
        arg=old,
        timeout=timeout,
    )
    return header_item_id(page) is not None


def _act(page: Page, kind: str, turn: int) -> str:
    """Decide the open item as a scripted reviewer: mostly approve, sometimes edit in the typed form or reject."""
    plan = ("approve", "edit", "approve", "reject")[turn % 4]
    if plan == "edit" and kind == "reply":
        body = page.locator("#proposal-body textarea")
        body.fill(body.input_value() + "\n\nP.S. Reviewed by a person.")
    elif plan == "edit" and kind == "email":
        subject = page.locator("#proposal-subject input, #proposal-subject textarea").first
        subject.fill(subject.input_value() + " (reviewed)")
    elif plan == "edit" and kind == "brief":
        page.locator('#proposal-claims [role="gridcell"][data-row="0"][data-col="0"] input[type=checkbox]').check()
    elif plan == "edit":
        plan = "approve"
    unfocus(page)
    keys = {"approve": ["a"], "edit": ["3", "e"], "reject": ["4", "x"]}[plan]  # 3 tone, 4 policy
    for key in keys:
        page.keyboard.press(key)
    return plan


def review_session(page: Page, decisions: int, *, timeout: float = 30_000) -> Session:
    """Decide ``decisions`` items by keyboard from the inbox on, timing each from shown to the next one shown.

    The page is never scrolled: every decision uses what is on screen. A decision the service refuses (say,
    approving an edit this reviewer made) is followed by a reject with reason "other", timed with it.
    """
    done = Session()
    unfocus(page)
    page.keyboard.press("o")  # open the top item
    page.wait_for_function("() => /Item \\d+/.test(document.querySelector('#item-header')?.innerText ?? '')")
    for turn in range(decisions):
        item = header_item_id(page)
        if item is None:
            break
        kind = shown_kind(page)
        if kind not in done.off_screen:  # checked before the clock starts: it is the test's time, not the reviewer's
            done.off_screen[kind] = off_screen(page)
        start = time.perf_counter()
        action = _act(page, kind, turn)
        try:
            more = _next_shown(page, item, timeout / 3)
        except Exception:  # refused: the status says why; reject instead, as a reviewer would
            status = page.locator("#decision-status").inner_text()
            unfocus(page)
            page.keyboard.press("=")  # other
            page.keyboard.press("x")
            action = f"reject after: {status[:80]}"
            more = _next_shown(page, item, timeout)
        done.seconds.append(time.perf_counter() - start)
        done.items.append(item)
        done.kinds.append(kind)
        done.actions.append(action)
        done.scrolled += int(page.evaluate("() => window.scrollY") != 0)
        if not more:
            break
    return done
