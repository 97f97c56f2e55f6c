"""uvicorn's WebSocket protocol, reading ahead a few messages.

uvicorn stops reading a socket after every message until the app has taken it, and starts
again when it has: two system calls a message. A class's followers acknowledge every frame
they draw, which is 10,000 tiny messages a second with 200 of them, and stopping and starting
took a third of the server's event loop. :class:`ReadAhead` stops only once ``MAX_UNREAD``
messages wait, which still bounds what a client that sends faster than the server reads can
make it hold. Once the server has sent its close, reading never stops (as in uvicorn): the
client's reply must be read whether or not the app still takes messages.

A text message that is not UTF-8 closes the socket with 1007, as RFC 6455 requires (and as
uvicorn does); it is logged as one warning line, not as an error with a traceback: it is the
client's mistake, not the server's.
"""

from __future__ import annotations

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

MAX_UNREAD = 8


class ReadAhead(WebSocketsSansIOProtocol):
    def send_receive_event_to_app(self) -> None:
        """Hand the message just read to the app (as the base class does, but for when reading
        stops and how bad text is logged)."""
        data = b"".join(self.frames)
        self.frames = []
        if self.close_sent:
            return  # the app is past its close: discard, and read on to the client's reply
        if self.curr_msg_data_type == "text":
            try:
                self.queue.put_nowait({"type": "websocket.receive", "text": data.decode()})
            except UnicodeDecodeError as exc:
                self.logger.warning(
                    "%s - WebSocket closed with 1007: a text message is not UTF-8 (%s)",
                    _peer(self.client),
                    exc.reason,
                )
                self.conn.send_close(1007, "a text message is not UTF-8")
                self.handle_parser_exception()
                return
        else:
            self.queue.put_nowait({"type": "websocket.receive", "bytes": data})
        if not self.read_paused and self.queue.qsize() >= MAX_UNREAD:
            self.read_paused = True
            self.transport.pause_reading()


def _peer(client: tuple[str, int] | None) -> str:
    return f"{client[0]}:{client[1]}" if client else "a client"
