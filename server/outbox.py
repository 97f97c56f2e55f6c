"""One WebSocket's outgoing messages: every control message, and only the latest frame."""

from __future__ import annotations

import asyncio
from collections import deque

from starlette.websockets import WebSocket

from server.sharedframe import send_frame

MAX_QUEUED_TEXTS = 256
FRAME_WINDOW = 2  # frames sent but not yet acknowledged, once a client acknowledges frames


class Outbox:
    """Owned by one sender task, the only writer to its socket.

    Control messages queue (bounded); frames do not: a frame is computed only when the sender is
    idle and nothing is pending (``wants_frame``), so a slow client gets the latest state and the
    server never builds a backlog. A client that acknowledges frames (``ack``) also bounds how
    many are in flight to ``FRAME_WINDOW``: the kernel's socket buffers cannot fill with stale
    frames either, and a browser that draws slowly is sent only what it can draw.
    """

    def __init__(self, wake_producer: asyncio.Event) -> None:
        self._texts: deque[str] = deque(maxlen=MAX_QUEUED_TEXTS)
        self._frame: bytes | None = None
        self._ready = asyncio.Event()
        self._idle = False
        self._wake_producer = wake_producer
        self._acking = False
        self._in_flight = 0

    def ack(self) -> None:
        """The client has drawn a frame: one more may be sent."""
        self._acking = True
        self._in_flight = max(0, self._in_flight - 1)
        if self.wants_frame():
            self._wake_producer.set()

    def send_text(self, text: str) -> None:
        self._texts.append(text)
        self._ready.set()

    def offer_frame(self, frame: bytes) -> None:
        self._frame = frame
        self._ready.set()

    @property
    def holds_frame(self) -> bool:
        """A frame waits to be sent (it goes after every text queued before it is sent)."""
        return self._frame is not None

    def wants_frame(self) -> bool:
        room = not self._acking or self._in_flight < FRAME_WINDOW
        return self._idle and self._frame is None and room

    async def run(self, ws: WebSocket) -> None:
        """Send until cancelled or the socket fails."""
        while True:
            self._idle = True
            self._wake_producer.set()
            await self._ready.wait()
            self._ready.clear()
            self._idle = False
            while self._texts:
                await ws.send_text(self._texts.popleft())
            if self._frame is not None:
                frame, self._frame = self._frame, None
                self._in_flight += 1
                await send_frame(ws, frame)
