"""The real command line: start, announce, serve, refuse bad arguments."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import urllib.request

import pytest
import torch
from websockets.sync.client import connect

from server.cli import bind, page_url, parse_args
from server.settings import Settings
from tests.live_server import ROOT, live_server
from tests.server.wsutil import run_async


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", "--no-open", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_what_the_command_line_leaves_out_comes_from_the_environment() -> None:
    env = {**os.environ, "SPACEFOLD_INSTANCE": "z", "SPACEFOLD_DEVICE": "cpu"}
    with live_server(env=env) as server, connect(server.ws_url) as ws:
        assert json.loads(ws.recv(timeout=10))["session"].startswith("z-")
        assert server.health()["device"] == "cpu"


def test_port_zero_picks_a_free_port_and_the_page_answers() -> None:
    with live_server() as server:
        assert not server.url.endswith(":0/")
        with urllib.request.urlopen(server.url + "api/health") as response:
            assert json.load(response)["status"] == "ok"
        assert "spacefold is running at" in server.log()


def test_defaults_are_loopback_and_browser_on(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SPACEFOLD_HOST", "SPACEFOLD_PORT", "SPACEFOLD_DEVICE"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert (settings.host, settings.port, settings.device) == ("127.0.0.1", 8000, "auto")
    args = parse_args([])  # what it leaves out is the settings' (the environment's, else these)
    assert (args.host, args.port, args.open, args.device) == (None, None, True, None)
    assert parse_args(["--no-open"]).open is False
    assert page_url("0.0.0.0", 81) == "http://127.0.0.1:81/"
    assert page_url("::1", 82) == "http://[::1]:82/"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "port"),
        (["--port", "many"], "invalid int value"),
        (["--device", "tpu"], "invalid choice"),
        (["--host", "256.1.1.1"], "cannot listen on 256.1.1.1"),
    ],
)
def test_bad_arguments_get_a_clear_message(args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_asking_for_cuda_without_it_is_a_clear_error() -> None:
    result = run_cli("--device", "cuda")
    assert result.returncode == 2 and "no CUDA device" in result.stderr


def test_a_busy_port_is_a_clear_error() -> None:
    with live_server() as server:
        port = server.url.rsplit(":", 1)[1].strip("/")
        result = run_cli("--port", port)
        assert result.returncode == 2 and "cannot listen" in result.stderr


def test_connections_to_the_bound_socket_have_nagle_off() -> None:
    """Else a frame that follows a small message waits for the client's delayed ACK (40 ms)."""
    sock = bind("127.0.0.1", 0)

    async def accepted_nodelay() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted = writer.get_extra_info("socket")
            seen.set_result(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(handle, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
            value = await asyncio.wait_for(seen, 10)
            writer.close()
            return value

    assert run_async(accepted_nodelay()) != 0
