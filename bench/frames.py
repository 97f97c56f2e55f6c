"""What the benchmarks' WebSocket clients share: note every frame's step, and acknowledge it."""

from __future__ import annotations

import asyncio
import json

import websockets

from engine.encoding import read_header


async def note_frames(
    ws: websockets.ClientConnection, seconds: float, out: list[tuple[float, int]]
) -> None:
    """For ``seconds``, append (time, step) of every frame to ``out`` and ack it, as the page
    does once it has drawn a frame."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (left := deadline - loop.time()) > 0:
        try:
            message = await asyncio.wait_for(ws.recv(), left)
        except TimeoutError:
            break
        if isinstance(message, bytes):
            out.append((loop.time(), int(read_header(message)["step"])))
            await ws.send(json.dumps({"type": "ack"}))
