"""A PostgreSQL server of the tests' own, from Debian's package, on a free loopback port in a
folder of its own; stopped and removed after. Missing PostgreSQL is a failure under CI (.ci/run
installs it) and a skip elsewhere."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.node import missing
from tests.services import free_port


def _binaries() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        missing("PostgreSQL (Debian's postgresql package)")
    return found[-1].parent


def _as_owner(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run as its own user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A running server; yields its URL (user ``spacefold``, trusted on loopback)."""
    bin_dir = _binaries()
    folder = Path(tempfile.mkdtemp(prefix="spacefold-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, log = folder / "data", folder / "log"
    port = free_port()
    subprocess.run(
        _as_owner(
            [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "spacefold", "-N"]
        ),
        check=True,
        capture_output=True,
        timeout=120,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    ctl = [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60"]
    subprocess.run(
        _as_owner([*ctl, "-o", options, "start"]), check=True, capture_output=True, timeout=90
    )
    try:
        yield f"postgresql://spacefold@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_owner([*ctl, "-m", "immediate", "stop"]), capture_output=True, timeout=60
        )
        shutil.rmtree(folder, ignore_errors=True)
