"""Many tabs coming and going, some vanishing mid-frame: nothing is left behind."""

import json
import socket
import time
import urllib.request
from typing import Any

import websockets

from tests.live_server import LiveServer, live_server
from tests.server.test_flow import run_async


def health(server: LiveServer) -> dict[str, Any]:
    with urllib.request.urlopen(server.url + "api/health") as response:
        body: dict[str, Any] = json.load(response)
    return body


async def cycles(url: str, count: int) -> None:
    for i in range(count):
        ws = await websockets.connect(url)
        await ws.recv()  # hello
        await ws.send(json.dumps({"type": "play"}))
        if i % 3 == 0:
            await ws.recv()
            await ws.close()  # polite
        elif i % 3 == 1:
            ws.transport.abort()  # vanishes mid-stream, no close handshake
        else:
            await ws.send(json.dumps({"type": "ack"}))
            ws.transport.close()  # drops the connection while frames are on their way


def test_connect_and_disconnect_cycles_leave_nothing_behind() -> None:
    with live_server() as server:
        before = health(server)
        run_async(cycles(server.ws_url, 150))
        for _ in range(100):
            after = health(server)
            if after["sessions"] == 0 and after["tasks"] <= before["tasks"] + 1:
                break
            time.sleep(0.05)
        assert after["sessions"] == 0, after
        assert after["tasks"] <= before["tasks"] + 1, (before, after)
        assert after["threads"] <= before["threads"] + 4, (before, after)  # the worker pool
        # A half-open TCP connection that never finishes its handshake is dropped too.
        raw = socket.create_connection((server.url.split("//")[1].split(":")[0],
                                        int(server.url.rsplit(":", 1)[1].strip("/"))))
        raw.close()
        assert health(server)["status"] == "ok"
