"""Flow control against the real server: a slow client is sent the latest state, no backlog."""

import asyncio
import json

import websockets

from engine.encoding import decode_frame
from tests.live_server import live_server
from tests.server.wsutil import run_async


async def frames_within(ws: websockets.ClientConnection, seconds: float) -> list[dict[str, object]]:
    """The headers of the frames that arrive in the next ``seconds``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    headers = []
    try:
        while (left := deadline - loop.time()) > 0:
            message = await asyncio.wait_for(ws.recv(), left)
            if isinstance(message, bytes):
                headers.append(decode_frame(message)[0])
    except TimeoutError:
        pass
    return headers


async def first_frame(ws: websockets.ClientConnection, seconds: float = 10.0) -> dict[str, object]:
    async with asyncio.timeout(seconds):
        while True:
            message = await ws.recv()
            if isinstance(message, bytes):
                return decode_frame(message)[0]


async def slow_client(url: str) -> None:
    async with websockets.connect(url) as ws:
        first = await first_frame(ws)  # the frame sent on connect, before anything trains
        # From now on this client acknowledges; the server reads the ack before the play, so
        # every frame of the training run falls under the window.
        await ws.send(json.dumps({"type": "ack"}))
        await ws.send(json.dumps({"type": "play"}))
        await asyncio.sleep(1.5)  # a student's laptop stalls; it draws nothing
        waiting = await frames_within(ws, 0.5)
        assert 1 <= len(waiting) <= 2, "frames beyond the window of 2 were sent"
        for _ in waiting:
            await ws.send(json.dumps({"type": "ack"}))
        fresh = await first_frame(ws)
        # Training went on during the stall; the next frame shows where it is now.
        assert int(fresh["step"]) > int(waiting[-1]["step"]) + 50  # type: ignore[call-overload]
        assert int(waiting[-1]["step"]) > int(first["step"])  # type: ignore[call-overload]


def test_an_acking_client_never_has_more_than_two_frames_in_flight() -> None:
    with live_server() as server:
        run_async(slow_client(server.ws_url))


async def frame_rate(url: str) -> float:
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"type": "play"}))
        await first_frame(ws)
        return len(await frames_within(ws, 2.0)) / 2.0


def test_frames_are_paced_to_the_cap() -> None:
    with live_server() as server:
        rate = run_async(frame_rate(server.ws_url))
    assert 3 <= rate <= 62  # the cap is 60 a second; the floor only says frames flow
