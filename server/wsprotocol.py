"""uvicorn's WebSocket protocol, reading ahead a few messages.

uvicorn stops reading a socket after every message until the app has taken it, and starts
again when it has: two system calls a message. A class's followers acknowledge every frame
they draw, which is 10,000 tiny messages a second with 200 of them, and stopping and starting
took a third of the server's event loop. :class:`ReadAhead` stops only once ``MAX_UNREAD``
messages wait, which still bounds what a client that sends faster than the server reads can
make it hold. Once the server has sent its close, reading never stops (as in uvicorn): the
client's reply must be read whether or not the app still takes messages.
"""

from __future__ import annotations

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

MAX_UNREAD = 8


class ReadAhead(WebSocketsSansIOProtocol):
    def send_receive_event_to_app(self) -> None:
        paused = self.read_paused
        self.read_paused = True  # so that the base class does not stop reading after this one
        try:
            super().send_receive_event_to_app()
        finally:
            self.read_paused = paused
        if not paused and not self.close_sent and self.queue.qsize() >= MAX_UNREAD:
            self.read_paused = True
            self.transport.pause_reading()
