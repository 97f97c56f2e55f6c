"""A lean WebSocket client for counting frames: it reads each frame's step and acks it, and
nothing more, so that one process can watch hundreds of sockets without being the bottleneck
(a full client library parses every frame it receives, which costs more than the server's send).

Only what the benchmarks need: binary frames from the server are counted, text frames skipped,
every frame acked with ``{"type":"ack"}`` as the page does.
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import struct
from urllib.parse import urlsplit

STEP = re.compile(rb'"step":(\d+)')
ACK = b'{"type":"ack"}'


def _client_frame(payload: bytes) -> bytes:
    """A masked text frame (clients must mask; a zero key leaves the bytes as they are)."""
    return bytes([0x81, 0x80 | len(payload)]) + b"\0\0\0\0" + payload


ACK_FRAME = _client_frame(ACK)


class FrameCounter(asyncio.Protocol):
    """Appends (time, step) of every binary frame to ``out`` and acks it."""

    def __init__(self, out: list[tuple[float, int]], hello: asyncio.Future[bytes]) -> None:
        self.out, self.hello = out, hello
        self.buffer = bytearray()
        self.upgraded = False
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.closed = self.loop.create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if not self.buffer.startswith(b"HTTP/1.1 101"):
                raise ConnectionError(bytes(self.buffer[:end]).decode(errors="replace"))
            del self.buffer[: end + 4]
            self.upgraded = True
        self._frames()

    def _frames(self) -> None:
        buffer = self.buffer
        start = 0
        while len(buffer) - start >= 2:
            opcode, size = buffer[start] & 0x0F, buffer[start + 1] & 0x7F
            head = 2
            if size == 126:
                if len(buffer) - start < 4:
                    break
                (size,) = struct.unpack_from(">H", buffer, start + 2)
                head = 4
            elif size == 127:
                if len(buffer) - start < 10:
                    break
                (size,) = struct.unpack_from(">Q", buffer, start + 2)
                head = 10
            if len(buffer) - start < head + size:
                break
            body = start + head
            if opcode == 0x2:
                found = STEP.search(buffer, body, min(body + 4096, body + size))
                if found is not None:
                    self.out.append((self.loop.time(), int(found.group(1))))
                    assert self.transport is not None
                    self.transport.write(ACK_FRAME)
            elif opcode == 0x1 and not self.hello.done():
                self.hello.set_result(bytes(buffer[body : body + size]))
            start = body + size
        del buffer[:start]

    def send_text(self, text: str) -> None:
        payload = text.encode()
        assert len(payload) < 126 and self.transport is not None
        self.transport.write(_client_frame(payload))


async def connect(url: str, out: list[tuple[float, int]]) -> tuple[FrameCounter, bytes]:
    """Open ``url`` (ws://host:port/path?query); the protocol and the server's first message."""
    parts = urlsplit(url)
    loop = asyncio.get_running_loop()
    hello: asyncio.Future[bytes] = loop.create_future()
    transport, protocol = await loop.create_connection(
        lambda: FrameCounter(out, hello), parts.hostname or "127.0.0.1", parts.port or 80
    )
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    key = base64.b64encode(os.urandom(16)).decode()
    transport.write(
        (
            f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    return protocol, await asyncio.wait_for(hello, 120)
