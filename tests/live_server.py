"""Start the real ``python -m server`` (or an installed ``spacefold``) as a subprocess on a free
port, for end-to-end tests."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

from server.drawer import CROWD
from tests.services import stop

ROOT = Path(__file__).resolve().parent.parent
CHECKOUT_SERVER = (sys.executable, "-m", "server")


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "ws"

    def health(self) -> dict[str, Any]:
        """What its ``/api/health`` says."""
        with urllib.request.urlopen(self.url + "api/health", timeout=2) as response:
            answer: dict[str, Any] = json.loads(response.read())
        return answer

    def log(self, last: int | None = None) -> str:
        """What the server printed (its ``last`` lines only, if given)."""
        text = self.log_path.read_text(errors="replace")
        if last is not None:
            text = "".join(text.splitlines(keepends=True)[-last:])
        return text or "(the server printed nothing)\n"


@contextlib.contextmanager
def live_server(
    *args: str,
    timeout: float = 30.0,
    drawing: bool = False,
    program: Sequence[str] = CHECKOUT_SERVER,
    cwd: Path = ROOT,
    env: Mapping[str, str] = os.environ,
) -> Iterator[LiveServer]:
    """Yield a running server (``program`` run in ``cwd`` with ``env``: the checkout's by
    default); print its log if the block fails; always stop it. With ``drawing``, wait until its
    drawing processes have started too (what a benchmark measures is the server at work, not the
    server starting)."""
    with tempfile.NamedTemporaryFile("wb", suffix=".log", delete=False) as log_file:
        log_path = Path(log_file.name)
    if "--data-dir" not in args:
        args = ("--data-dir", tempfile.mkdtemp(prefix="spacefold-data-"), *args)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*program, "--no-open", "--port", "0", *args],
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**env, "PYTHONUNBUFFERED": "1"},
        )
    server = LiveServer("", process, log_path)
    try:
        server.url = _wait_for_url(server, timeout)
        _wait_for_health(server.url, timeout)
        if drawing:
            _start_drawing(server, timeout)
        yield server
    except BaseException:
        print(f"--- server log ({log_path}) ---\n{server.log()}", file=sys.stderr)
        raise
    finally:
        stop(process)


def _wait_for_url(server: LiveServer, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"http://\S+/", server.log())
        if found:
            return found.group(0)
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited with {server.process.returncode}")
        time.sleep(0.05)
    raise TimeoutError("server printed no URL")


def _wait_for_health(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "api/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.05)


def _start_drawing(server: LiveServer, timeout: float) -> None:
    """Make the server busy (sessions training) until its drawing processes have started:
    they start the first time it is, and a benchmark measures the server at work, not that."""
    with contextlib.ExitStack() as stack:
        for _ in range(CROWD):
            # No cap on unread messages: a capped client stops reading once it is full, misses
            # the server's reply to its close and waits out the close timeout (10 s).
            ws = stack.enter_context(connect(server.ws_url, max_size=None, max_queue=None))
            ws.send(json.dumps({"type": "play"}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            drawing = server.health()["drawing"]
            if drawing["ready"] or drawing["most"] == 0:
                return
            time.sleep(0.1)
        raise TimeoutError("the drawing processes did not start")
