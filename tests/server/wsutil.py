"""Reading a spacefold socket in tests: skip what is not asked for, up to a bound."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np
from starlette.testclient import WebSocketTestSession
from websockets.sync.client import ClientConnection

from engine.encoding import decode_frame

Frame = tuple[dict[str, Any], dict[str, np.ndarray]]
T = TypeVar("T")

#: A configuration whose training diverges within 200 steps (a deep linear net, SGD at lr 10).
DIVERGES: dict[str, Any] = {
    "model": {"width": 16, "depth": 6, "activation": "linear"},
    "train": {"optimizer": "sgd", "lr": 10.0},
}


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on a thread of its own: the browser tests' driver may hold this thread's
    event loop for the whole session."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def next_event(ws: WebSocketTestSession, kind: str, limit: int = 500) -> dict[str, Any]:
    """The next text event of type ``kind``, skipping frames and other events."""
    for _ in range(limit):
        message = ws.receive()
        if message.get("text") is not None:
            event: dict[str, Any] = json.loads(message["text"])
            if event["type"] == kind:
                return event
    raise AssertionError(f"no {kind!r} event in {limit} messages")


def next_frame(ws: WebSocketTestSession, limit: int = 500) -> Frame:
    for _ in range(limit):
        message = ws.receive()
        if message.get("bytes") is not None:
            return decode_frame(message["bytes"])
    raise AssertionError(f"no frame in {limit} messages")


def recv_event(ws: ClientConnection, kind: str, limit: int = 2000) -> dict[str, Any]:
    """As :func:`next_event`, on a real socket (the ``websockets`` package's client)."""
    for _ in range(limit):
        message = ws.recv(timeout=15)
        if isinstance(message, str):
            found: dict[str, Any] = json.loads(message)
            if found["type"] == kind:
                return found
    raise AssertionError(f"no {kind!r} event in {limit} messages")


def send(ws: WebSocketTestSession, **message: Any) -> None:
    ws.send_text(json.dumps(message))
