"""A server killed with SIGKILL in the middle of saves loses no save it acknowledged."""

import asyncio
import json
import os
import signal
import tempfile
import threading
import urllib.error
import urllib.request

import websockets

from tests.live_server import live_server
from tests.server.wsutil import run_async


def save(url: str, session: str, name: str) -> str | None:
    request = urllib.request.Request(
        f"{url}api/sessions/{session}/saves",
        data=json.dumps({"name": name}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            saved_id: str = json.load(response)["id"]
            return saved_id
    except (urllib.error.URLError, ConnectionError, OSError):
        return None  # the server died before it answered: not acknowledged


async def hold_session(url: str, ready: "asyncio.Future[str]", done: threading.Event) -> None:
    async with websockets.connect(url) as ws:
        ready.set_result(json.loads(await ws.recv())["session"])
        while not done.is_set():
            await asyncio.sleep(0.05)


def test_acknowledged_saves_survive_a_kill() -> None:
    data_dir = tempfile.mkdtemp(prefix="spacefold-kill-")
    acknowledged: list[str] = []
    with live_server("--data-dir", data_dir) as server:
        done = threading.Event()
        session_box: list[str] = []

        async def run() -> None:
            ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            holder = asyncio.create_task(hold_session(server.ws_url, ready, done))
            session_box.append(await ready)
            await holder

        holder = threading.Thread(target=run_async, args=(run(),), daemon=True)
        holder.start()
        while not session_box:
            threading.Event().wait(0.02)
        killer = threading.Timer(1.0, lambda: os.kill(server.process.pid, signal.SIGKILL))
        killer.start()
        for i in range(10_000):
            saved = save(server.url, session_box[0], f"save {i}")
            if saved is None:
                break
            acknowledged.append(saved)
        done.set()
        killer.join()
        server.process.wait(10)
        holder.join(5)
    assert len(acknowledged) >= 3, "the server died before any save; the test proves nothing"
    with (
        live_server("--data-dir", data_dir) as again,
        urllib.request.urlopen(again.url + "api/saves") as response,
    ):
        kept = {entry["id"] for entry in json.load(response)}
    missing = [i for i in acknowledged if i not in kept]
    assert missing == [], f"{len(missing)} of {len(acknowledged)} acknowledged saves were lost"
