"""uvicorn's WebSocket protocol, reading ahead a few messages.

uvicorn stops reading a socket after every message until the app has taken it, and starts
again when it has: two system calls a message. A class's followers acknowledge every frame
they draw, which is 10,000 tiny messages a second with 200 of them, and stopping and starting
took a third of the server's event loop. :class:`ReadAhead` stops only once ``MAX_UNREAD``
messages wait, which still bounds what a client that sends faster than the server reads can
make it hold. Once the server has sent its close, reading never stops (as in uvicorn): the
client's reply must be read whether or not the app still takes messages.

A follower's socket carries little but the page's acks, one for every frame. The app may name,
in the scope's ``ACKS`` extension, what to call for one: an ack (the page's exact text) with no
message waiting before it is then taken where it is read, and no task wakes for it.

A text message that is not UTF-8 closes the socket with 1007, as RFC 6455 requires (and as
uvicorn does); it is logged as one warning line, not as an error with a traceback: it is the
client's mistake, not the server's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import State

from server.receiving import ACK_TEXT

MAX_UNREAD = 8
ACK_BYTES = ACK_TEXT.encode()
FRAMED = "spacefold.framed"  # the scope extension: {"send": send_framed}
ACKS = "spacefold.acks"  # the scope extension: {"take": what to call for each ack}, or {}


def framed(message: bytes) -> bytes:
    """``message`` as one unmasked binary frame of the WebSocket protocol (what a server sends)."""
    return Frame(Opcode.BINARY, message).serialize(mask=False)


class ReadAhead(WebSocketsSansIOProtocol):
    #: The app's taker of acks (see ACKS): a dict of its own once the socket is open.
    acks: Mapping[str, Callable[[], None]] = MappingProxyType({})

    def handle_connect(self, event: Request) -> None:
        """As uvicorn, and offer the app :meth:`send_framed` in the scope's extensions."""
        super().handle_connect(event)
        scope = getattr(self, "scope", None)  # set for an upgrade, not for a refusal
        if scope is not None:
            scope["extensions"][FRAMED] = {"send": self.send_framed}
            scope["extensions"][ACKS] = self.acks = {}

    async def send_framed(self, wire: bytes) -> bool:
        """Write a binary message already framed (:func:`framed`): a follower's frame is the same
        bytes for the hundreds that watch, framed once, written as they are. False (nothing
        written) where the connection frames messages itself (an extension such as compression
        is on); raises ``ClientDisconnected`` as uvicorn's ``send`` does."""
        await self.writable.wait()
        if self.disconnected or self.close_sent or self.conn.state is not State.OPEN:
            raise ClientDisconnected()
        if self.conn.extensions or not self.handshake_complete:
            return False
        self.transport.write(wire)
        return True

    def send_receive_event_to_app(self) -> None:
        """Hand the message just read to the app (as the base class does, but for when reading
        stops and how bad text is logged)."""
        data = b"".join(self.frames)
        self.frames = []
        if self.close_sent:
            return  # the app is past its close: discard, and read on to the client's reply
        take = self.acks.get("take")
        text = self.curr_msg_data_type == "text"
        if take is not None and text and data == ACK_BYTES and self.queue.empty():
            take()  # a follower's ack: nothing waits before it, and the app need not wake
            return
        if text:
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
