"""A frame sent to many sockets, framed once for all of them.

A session's frame goes to its tab and to every follower: the same bytes, 60 KB, hundreds of
times. Through Starlette and uvicorn each send frames it anew (two copies) and passes four
layers of calls; :func:`send_frame` frames it once (the last frame framed is kept) and writes
that to each socket through the server's own extension (``server.wsprotocol.FRAMED``). Where
the server offers none (a test client), or the connection frames messages itself, it is sent
as any binary message.
"""

from __future__ import annotations

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from server.wsprotocol import FRAMED, framed


class _Framed:
    """The last frame framed: a session's sockets send it one after another."""

    def __init__(self) -> None:
        self.frame = b""
        self.wire = framed(b"")

    def of(self, frame: bytes) -> bytes:
        if frame is not self.frame:
            self.frame, self.wire = frame, framed(frame)
        return self.wire


_last = _Framed()


async def send_frame(ws: WebSocket, frame: bytes) -> None:
    """Send ``frame`` as one binary message, as ``ws.send_bytes`` does (a socket that has gone
    raises ``WebSocketDisconnect``)."""
    send = ws.scope.get("extensions", {}).get(FRAMED, {}).get("send")
    if send is not None and ws.application_state is WebSocketState.CONNECTED:
        try:
            if await send(_last.of(frame)):
                return
        except OSError:
            ws.application_state = WebSocketState.DISCONNECTED
            raise WebSocketDisconnect(code=1006) from None
    await ws.send_bytes(frame)
