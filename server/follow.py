"""Follow mode: a read-only view of another tab's session, for a class watching the teacher."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from starlette.websockets import WebSocket

from engine import events
from engine.schemas import Ack, Ping, StrictModel
from server.connection import read_message
from server.outbox import Outbox
from server.receiving import Unreadable
from server.watched import Watched
from server.wsprotocol import ACKS

READ_ONLY = "this is a read-only view of another session: it cannot be changed here"


async def follow(
    ws: WebSocket,
    leader: Watched[Any],
    max_bytes: int,
    read: Callable[[Mapping[str, Any], int], StrictModel] = read_message,
    instance: str | None = None,
) -> None:
    """Relay the leader's frames and states to ``ws`` until it goes away (see :func:`watch`);
    ``instance`` is the name of the instance serving it."""
    session = leader.session
    hello = events.hello(session.id, session.state(), leader.lesson, follow=True, instance=instance)
    await watch(ws, hello, leader.follow, leader.unfollow, max_bytes, read)


async def watch(
    ws: WebSocket,
    hello: events.Event,
    join: Callable[[Outbox], None],
    leave: Callable[[Outbox], None],
    max_bytes: int,
    read: Callable[[Mapping[str, Any], int], StrictModel] = read_message,
) -> None:
    """Say ``hello``, then relay to ``ws`` what the leader sends the outbox that ``join`` was
    given (``leave`` takes it back) until the socket goes away. It drives nothing: every
    message but ``ack`` and ``ping`` (read by ``read``, the leader's protocol) is refused as
    read-only."""
    outbox = Outbox(asyncio.Event())
    outbox.send_text(events.text(hello))
    sender = asyncio.create_task(outbox.run(ws))
    join(outbox)
    # The page's acks, a follower's only traffic, are taken where the socket reads them (see
    # server.wsprotocol.ACKS); any other spelling of one still comes below.
    takes: dict[str, Callable[[], None]] | None = ws.scope.get("extensions", {}).get(ACKS)
    if takes is not None:
        takes["take"] = outbox.ack
    try:
        while True:
            received = await ws.receive()
            if received["type"] == "websocket.disconnect" or sender.done():
                return
            try:
                message = read(received, max_bytes)
            except Unreadable as exc:
                outbox.send_text(events.text(exc.event))
                continue
            if isinstance(message, Ack):
                outbox.ack()
            elif isinstance(message, Ping):
                outbox.send_text(events.text(events.pong()))
            else:  # every other message would change the session or what it shows
                outbox.send_text(events.text(events.error(READ_ONLY)))
    finally:
        if takes is not None:
            takes.pop("take", None)
        leave(outbox)
        sender.cancel()
        await asyncio.gather(sender, return_exceptions=True)
