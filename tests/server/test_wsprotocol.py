"""The server's WebSocket protocol reads ahead: a message waiting for the app does not stop
reading (it did, two system calls a message), a burst past MAX_UNREAD does, and every
message reaches the app in order. Driven through uvicorn's own protocol code, so that a
change there that breaks this fails here."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest
from starlette.websockets import WebSocket
from uvicorn.config import Config
from uvicorn.server import ServerState
from websockets.protocol import Protocol

from server.receiving import ACK_TEXT
from server.sharedframe import send_frame
from server.wsprotocol import ACKS, FRAMED, MAX_UNREAD, ReadAhead
from tests.server.wsutil import run_async


class Transport(asyncio.Transport):
    """Counts what the protocol asks of its socket."""

    def __init__(self) -> None:
        super().__init__()
        self.paused = self.resumed = 0
        self.closing = False
        self.written = bytearray()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )

    def pause_reading(self) -> None:
        self.paused += 1

    def resume_reading(self) -> None:
        self.resumed += 1

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += data

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True


def client_text(text: str) -> bytes:
    payload = text.encode()
    return bytes([0x81, 0x80 | len(payload)]) + b"\0\0\0\0" + payload  # masked, zero key


UPGRADE = (
    b"GET /ws HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: "
    + base64.b64encode(b"0123456789abcdef")
    + b"\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


def message(n: int) -> bytes:
    return client_text(json.dumps({"n": n}))


async def opened(app: Any) -> tuple[ReadAhead, Transport]:
    """The protocol serving ``app``, its handshake done, on a counting transport."""
    config = Config(app, ws=ReadAhead, lifespan="off", log_level="warning")
    config.load()
    protocol = ReadAhead(config, ServerState(), {})
    transport = Transport()
    protocol.connection_made(transport)
    protocol.data_received(UPGRADE)
    await asyncio.sleep(0.01)
    assert transport.written.startswith(b"HTTP/1.1 101")
    return protocol, transport


async def conversation() -> tuple[list[int], list[int], list[int]]:
    got: list[int] = []
    take = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        while True:
            await take.wait()
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            got.append(json.loads(message["text"])["n"])

    protocol, transport = await opened(app)

    take.set()
    for n in range(5):  # one at a time, taken as they come: reading never stops
        protocol.data_received(message(n))
        await asyncio.sleep(0)
    await asyncio.sleep(0.01)
    one_by_one = [transport.paused, transport.resumed]

    take.clear()  # the app is busy: a burst piles up, and reading stops once
    protocol.data_received(b"".join(message(n) for n in range(5, 5 + 3 * MAX_UNREAD)))
    burst = [transport.paused, transport.resumed]
    take.set()
    await asyncio.sleep(0.05)
    after = [transport.paused, transport.resumed]
    protocol.connection_lost(None)
    await asyncio.sleep(0.01)
    return got, one_by_one + burst, after


def test_reading_stops_only_when_messages_pile_up() -> None:
    got, counts, after = run_async(conversation())
    assert counts == [0, 0, 1, 0]  # none for five taken one by one; one for the burst
    assert after == [1, 1]  # and it starts again once the app has taken them all
    assert got == list(range(5 + 3 * MAX_UNREAD))


async def closing_with_a_backlog() -> tuple[int, bool]:
    close = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        await close.wait()  # it never takes the messages waiting, and closes
        await send({"type": "websocket.close", "code": 1000})

    protocol, transport = await opened(app)
    protocol.data_received(b"".join(message(n) for n in range(MAX_UNREAD - 1)))
    close.set()
    await asyncio.sleep(0.01)
    paused = transport.paused
    protocol.data_received(message(99))  # sent before the client saw the server's close
    protocol.data_received(bytes([0x88, 0x82]) + b"\0\0\0\0" + (1000).to_bytes(2, "big"))
    await asyncio.sleep(0.01)
    return transport.paused - paused, transport.closing


def test_after_the_server_closes_reading_goes_on_to_the_clients_reply() -> None:
    paused, closed = run_async(closing_with_a_backlog())
    assert paused == 0  # the message after the close did not stop reading
    assert closed  # the client's close reply was read: the socket is closed at once


async def frames_written(messages: list[bytes], fast: bool) -> tuple[bytes, bool]:
    """What the socket is sent for ``messages`` (binary), sent through Starlette's WebSocket
    by ``send_frame`` (``fast``) or by ``send_bytes``; and whether the scope offered the
    framed send."""
    offered: list[bool] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        ws = WebSocket(scope, receive, send)
        offered.append(FRAMED in scope["extensions"])
        await ws.accept()
        for data in messages:
            await (send_frame(ws, data) if fast else ws.send_bytes(data))
        await ws.receive()  # until the socket goes

    protocol, transport = await opened(app)
    await asyncio.sleep(0.01)
    handshake_end = transport.written.index(b"\r\n\r\n") + 4
    written = bytes(transport.written[handshake_end:])
    protocol.connection_lost(None)
    await asyncio.sleep(0.01)
    return written, offered[0]


def test_a_frame_framed_once_is_written_as_uvicorn_would_write_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """send_frame writes through the server's own extension (websockets frames nothing) the very
    bytes that Starlette and uvicorn write for the same message: small, 16-bit and 64-bit
    lengths, and one frame sent twice in a row (framed once)."""
    framed_by_websockets: list[bytes] = []
    send_binary = Protocol.send_binary

    def noted(self: Protocol, data: bytes, fin: bool = True) -> None:
        framed_by_websockets.append(data)
        send_binary(self, data, fin)

    monkeypatch.setattr(Protocol, "send_binary", noted)
    big = bytes(range(256)) * 300  # 76,800 bytes: a 64-bit length
    frame = b"\x01" * 200  # a 16-bit length
    messages = [b"ab", frame, frame, big]
    fast, offered = run_async(frames_written(messages, fast=True))
    assert framed_by_websockets == []
    slow, _ = run_async(frames_written(messages, fast=False))
    assert framed_by_websockets == messages
    assert offered
    assert fast == slow
    assert fast.startswith(bytes([0x82, 2]) + b"ab")  # FIN + binary, unmasked


async def acks_taken() -> tuple[int, list[str | bytes]]:
    """A follower's socket: the app takes acks where the socket reads them. Returns how many
    it took so, and the messages that reached its receive."""
    taken = 0
    got: list[str | bytes] = []
    busy = asyncio.Event()

    def take() -> None:
        nonlocal taken
        taken += 1

    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "websocket.connect"
        scope["extensions"][ACKS]["take"] = take
        await send({"type": "websocket.accept"})
        while True:
            await busy.wait()
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            got.append(message["text"] if message.get("text") is not None else message["bytes"])

    protocol, _ = await opened(app)
    ack = client_text(ACK_TEXT)
    protocol.data_received(ack + ack + ack)  # taken where they are read
    protocol.data_received(client_text('{"type": "ack"}'))  # another spelling: to the app
    protocol.data_received(ack)  # a message waits before it: it keeps its place
    busy.set()
    await asyncio.sleep(0.01)
    # The same bytes as a binary message are no ack: the app reads (and refuses) it.
    protocol.data_received(bytes([0x82, 0x80 | len(ACK_TEXT)]) + b"\0\0\0\0" + ACK_TEXT.encode())
    await asyncio.sleep(0.01)
    protocol.data_received(ack)
    protocol.connection_lost(None)
    await asyncio.sleep(0.01)
    return taken, got


def test_acks_are_taken_where_they_are_read_and_nothing_jumps_the_queue() -> None:
    taken, got = run_async(acks_taken())
    assert taken == 4
    assert got == ['{"type": "ack"}', ACK_TEXT, ACK_TEXT.encode()]
