"""A text message that is not UTF-8 closes the socket with 1007 (RFC 6455, docs/protocol.md),
and the real server logs it as one warning line, not an error with a traceback. Spoken over a
raw socket: a WebSocket client library would refuse to send such a message."""

from __future__ import annotations

import base64
import socket
import time
from urllib.parse import urlsplit

from tests.live_server import live_server


def handshake(url: str) -> socket.socket:
    where = urlsplit(url)
    assert where.hostname is not None and where.port is not None
    sock = socket.create_connection((where.hostname, where.port), timeout=10)
    key = base64.b64encode(b"0123456789abcdef").decode()
    sock.sendall(
        f"GET /ws HTTP/1.1\r\nHost: {where.netloc}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    response = b""
    while b"\r\n\r\n" not in response:
        response += sock.recv(1)
    assert response.startswith(b"HTTP/1.1 101")
    return sock


def masked_text(payload: bytes) -> bytes:
    assert len(payload) < 126
    return bytes([0x81, 0x80 | len(payload)]) + b"\0\0\0\0" + payload  # a zero mask


def exactly(sock: socket.socket, n: int) -> bytes:
    out = b""
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        assert chunk, "the server hung up without a close frame"
        out += chunk
    return out


def close_code(sock: socket.socket) -> int:
    """The code of the server's close frame, skipping the frames and events before it."""
    while True:
        first, second = exactly(sock, 2)
        length = second & 0x7F
        if length == 126:
            length = int.from_bytes(exactly(sock, 2), "big")
        elif length == 127:
            length = int.from_bytes(exactly(sock, 8), "big")
        payload = exactly(sock, length)
        if first & 0x0F == 0x8:
            return int.from_bytes(payload[:2], "big")


def test_text_that_is_not_utf8_closes_with_1007_and_one_warning_line() -> None:
    with live_server("--device", "cpu") as server:
        sock = handshake(server.url)
        sock.sendall(masked_text(b'{"type": "ping", "pad": "\xff\xfe"}'))
        assert close_code(sock) == 1007
        sock.close()
        deadline = time.monotonic() + 10  # the session closes, and the server serves on
        while server.health()["sessions"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.health()["sessions"] == 0
        log = server.log()
    lines = [line for line in log.splitlines() if "1007" in line]
    assert len(lines) == 1 and lines[0].startswith("WARNING"), log
    assert "Traceback" not in log and "ERROR" not in log, log
