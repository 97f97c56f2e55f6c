"""A Redis server of the tests' own, from Debian's package, on a free loopback port in a folder
of its own, keeping nothing on disk; stopped and removed after. Missing Redis is a failure under
CI (.ci/run installs it) and a skip elsewhere."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.node import missing
from tests.services import free_port, stop

REDIS_SERVER = Path("/usr/bin/redis-server")


def answers(port: int) -> bool:
    """The server on ``port`` answers PING (spoken in Redis's inline form)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def redis_server(port: int | None = None) -> Iterator[str]:
    """A running server (on ``port``, or a free one); yields its URL (``redis://…/0``)."""
    if not REDIS_SERVER.exists():
        missing("Redis (Debian's redis-server package)")
    port = port or free_port()
    folder = Path(tempfile.mkdtemp(prefix="spacefold-redis-"))
    options = ["--save", "", "--appendonly", "no", "--bind", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        [str(REDIS_SERVER), *options, "--daemonize", "no", "--dir", str(folder)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {port}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(process)
        shutil.rmtree(folder, ignore_errors=True)
