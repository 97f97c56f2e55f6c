"""What the tests' own servers share: a free loopback port, and stopping a process for sure."""

from __future__ import annotations

import socket
import subprocess


def free_port() -> int:
    """A loopback port free now (the server that takes it binds it a moment later)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def stop(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """Ask ``process`` to stop (SIGTERM), and kill it if it has not within ``grace`` s."""
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
