"""Headless Chromium driven over the DevTools protocol, through a pipe.

``--remote-debugging-pipe`` makes Chromium read commands from its file descriptor 3
and write answers and events to 4, each a JSON message ended by a NUL byte: no port to
pick, no websocket client, nothing to install but the browser (Debian: ``chromium``).
Used by the report's browser test and by ``scripts/report_screenshot.py``.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")


def find_chromium() -> str | None:
    """The browser's executable: ``$CHROMIUM``, else the first of :data:`NAMES` on PATH."""
    chosen = os.environ.get("CHROMIUM")
    if chosen:
        return chosen
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


_TRAMPOLINE = (
    "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
    "os.execvp(sys.argv[3], sys.argv[3:])"
)


def _high(fds: tuple[int, int]) -> tuple[int, int]:
    """The pipe's ends moved to descriptors above 9, so that putting them at 3 and 4 in
    the child cannot overwrite one with the other."""
    moved = tuple(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in fds)
    for fd in fds:
        os.close(fd)
    return moved[0], moved[1]


class BrowserError(RuntimeError):
    pass


@dataclass
class PageLog:
    """What a page did while it loaded: requests, console messages, errors."""

    requests: list[str] = field(default_factory=list)  # every URL it asked for
    errors: list[str] = field(default_factory=list)  # console errors, exceptions, failed loads
    messages: list[str] = field(default_factory=list)  # every console message and log entry


class Chromium:
    """One headless browser with one page (a tab), closed on leaving the ``with``."""

    def __init__(self, executable: str, *, width: int = 1100, height: int = 900) -> None:
        self.width, self.height = width, height
        self._profile = tempfile.mkdtemp(prefix="povtor-chromium-")
        ours_read, theirs_write = _high(os.pipe())  # Chromium writes (fd 4), we read
        theirs_read, ours_write = _high(os.pipe())  # we write, Chromium reads (fd 3)
        args = [
            "--headless",
            "--no-sandbox",  # (as root in a container, the sandbox cannot start)
            "--remote-debugging-pipe",
            f"--user-data-dir={self._profile}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--mute-audio",
            "--font-render-hinting=none",
            f"--window-size={width},{height}",
            "about:blank",
        ]
        self._log = Path(self._profile) / "stderr.log"
        # a small Python puts our pipe ends where Chromium looks for them (fds 3 and 4)
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    _TRAMPOLINE,
                    str(theirs_read),
                    str(theirs_write),
                    executable,
                    *args,
                ],
                pass_fds=(theirs_read, theirs_write),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        os.close(theirs_read)
        os.close(theirs_write)
        self._in, self._out = ours_read, ours_write
        self._buffer = b""
        self._next_id = 0
        self._session: str | None = None
        self.events: list[dict[str, Any]] = []

    # -- the protocol
    def _send(self, method: str, params: dict[str, Any] | None, session: str | None) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._out, data) :]
        return self._next_id

    def _receive(self, deadline: float) -> dict[str, Any]:
        import select

        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("Chromium did not answer in time")
            ready, _, _ = select.select([self._in], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise BrowserError(
                    f"Chromium went away (exit code {self._process.poll()}): {self.stderr()}"
                )
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)  # type: ignore[no-any-return]

    def call(
        self, method: str, params: dict[str, Any] | None = None, *, timeout: float = 30
    ) -> dict[str, Any]:
        """Send a command (to the page once one is open) and wait for its answer."""
        number = self._send(method, params, self._session)
        deadline = time.monotonic() + timeout
        while True:
            message = self._receive(deadline)
            if message.get("id") == number:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                return message.get("result", {})  # type: ignore[no-any-return]
            if "method" in message:
                self.events.append(message)

    def wait_for(self, event: str, *, timeout: float = 30) -> dict[str, Any]:
        for seen in self.events:
            if seen["method"] == event:
                return seen
        deadline = time.monotonic() + timeout
        while True:
            message = self._receive(deadline)
            if "method" in message:
                self.events.append(message)
                if message["method"] == event:
                    return message

    def stderr(self, lines: int = 20) -> str:
        """The end of what Chromium wrote on its stderr (its own log)."""
        try:
            text = self._log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    # -- a page
    def open_page(self) -> None:
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
        )

    def load(self, url: str, *, timeout: float = 30) -> PageLog:
        """Open ``url`` in the page, wait for its load event, and report what it did."""
        if self._session is None:
            self.open_page()
        self.events.clear()
        answer = self.call("Page.navigate", {"url": url})
        if answer.get("errorText"):
            raise BrowserError(f"cannot open {url}: {answer['errorText']}")
        self.wait_for("Page.loadEventFired", timeout=timeout)
        self.evaluate("1")  # a round trip: events sent before it have arrived
        return self.page_log()

    def page_log(self) -> PageLog:
        log = PageLog()
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Network.requestWillBeSent":
                log.requests.append(params["request"]["url"])
            elif method == "Runtime.consoleAPICalled":
                text = " ".join(
                    str(a.get("value", a.get("description", ""))) for a in params["args"]
                )
                log.messages.append(f"console.{params['type']}: {text}")
                if params["type"] in ("error", "assert"):
                    log.errors.append(text)
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                log.errors.append(details.get("exception", {}).get("description", details["text"]))
            elif method == "Log.entryAdded":
                entry = params["entry"]
                log.messages.append(f"{entry['source']} {entry['level']}: {entry['text']}")
                if entry["level"] == "error":
                    log.errors.append(entry["text"])
            elif method == "Network.loadingFailed":
                log.errors.append(f"failed to load: {params.get('errorText')}")
        return log

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-able)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path | None = None, *, full_page: bool = True) -> bytes:
        """A PNG of the page (all of it, or the window), also written to ``path``."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.call("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {
                "x": 0,
                "y": 0,
                "width": self.width,
                "height": min(int(size["height"]) + 1, 16000),
                "scale": 1,
            }
            params["captureBeyondViewport"] = True
        data = base64.b64decode(self.call("Page.captureScreenshot", params)["data"])
        if path is not None:
            path.write_bytes(data)
        return data

    def pdf(self) -> bytes:
        """The page printed to PDF, as the browser's Print → Save as PDF does."""
        answer = self.call("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True})
        return base64.b64decode(answer["data"])

    # -- the browser
    def close(self) -> None:
        try:
            if self._process.poll() is None:
                self._session = None
                self.call("Browser.close", timeout=10)
        except (BrowserError, OSError):
            pass
        finally:
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
            for fd in (self._in, self._out):
                with contextlib.suppress(OSError):
                    os.close(fd)
            shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
