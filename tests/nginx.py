"""nginx of the tests' own, from Debian's package, in front of instances already running: the
configuration server/nginxconf.py makes, on a free loopback port, with its pid, logs and
temporary files in a folder of its own; stopped and removed after. Missing nginx is a failure
under CI (.ci/run installs it) and a skip elsewhere."""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from server.nginxconf import Instance, nginx_config, nginx_file
from tests.node import missing
from tests.services import free_port

NGINX = Path("/usr/sbin/nginx")
TEMP_KINDS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def require_nginx() -> None:
    """Fail under CI, skip elsewhere, when nginx is not installed."""
    if not NGINX.is_file():
        missing("nginx (Debian's nginx-light package)")


def _temp_paths(folder: Path) -> list[str]:
    """Every temporary folder this nginx has a module for, inside ``folder`` (the built-in
    ones are under /var/lib/nginx)."""
    built = subprocess.run([NGINX, "-V"], capture_output=True, text=True, check=True).stderr
    kinds = [k for k in TEMP_KINDS if f"--without-http_{k}_module" not in built]
    return [f"{kind}_temp_path {folder / kind};" for kind in kinds]


def contained_file(config: str, folder: Path) -> str:
    """``config`` (an ``http`` block's content) as a whole nginx.conf whose every file lies in
    ``folder``, run in the foreground."""
    return nginx_file(
        config,
        main=[
            "daemon off;",
            "master_process on;",
            f"pid {folder / 'nginx.pid'};",
            f"error_log {folder / 'error.log'} warn;",
        ],
        http=[f"access_log {folder / 'access.log'};", *_temp_paths(folder)],
    )


def _wait_until_accepting(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGQUIT (finish what is open, then exit), then kill if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def nginx_proxy(
    instances: Sequence[Instance], broker: bool = False, timeout: float = 15.0
) -> Iterator[str]:
    """nginx serving ``instances`` (name, ``host:port``); yields its base URL
    (``http://127.0.0.1:PORT/``). Its error log is printed if the block fails."""
    require_nginx()
    folder = Path(tempfile.mkdtemp(prefix="spacefold-nginx-"))
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(
        contained_file(nginx_config(list(instances), f"127.0.0.1:{port}", broker=broker), folder)
    )
    with (folder / "stderr.log").open("wb") as err:
        process = subprocess.Popen(
            [NGINX, "-p", str(folder), "-c", str(conf)], stdout=err, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_accepting(port, process, timeout)
        yield f"http://127.0.0.1:{port}/"
    except BaseException:
        for name in ("stderr.log", "error.log"):
            path = folder / name
            if path.is_file():
                print(f"--- nginx {name} ---\n{path.read_text(errors='replace')}", file=sys.stderr)
        raise
    finally:
        _stop(process)
        shutil.rmtree(folder, ignore_errors=True)
