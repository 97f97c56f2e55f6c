"""Follow mode: a read-only view of another tab's session, for a class watching the teacher."""

from __future__ import annotations

import asyncio
import json

from starlette.websockets import WebSocket

from server.connection import Connection
from server.errors import error_event
from server.frames import PROTOCOL
from server.outbox import Outbox


async def follow(ws: WebSocket, leader: Connection, max_bytes: int) -> None:
    """Relay the leader's frames and states to ``ws`` until it goes away; it drives nothing."""
    outbox = Outbox(asyncio.Event())
    outbox.send_text(json.dumps({"type": "hello", "protocol": PROTOCOL, "follow": True,
                                 "session": leader.session.id, **leader.session.state(),
                                 "lesson": leader.lesson}))
    sender = asyncio.create_task(outbox.run(ws))
    leader.follow(outbox)
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect" or sender.done():
                return
            text = message.get("text") or ""
            kind = None
            if len(text) <= max_bytes:
                try:
                    kind = json.loads(text).get("type")
                except (ValueError, AttributeError):
                    kind = None
            if kind == "ack":
                outbox.ack()
            elif kind == "ping":
                outbox.send_text(json.dumps({"type": "pong"}))
            else:
                outbox.send_text(json.dumps(error_event(
                    "this is a read-only view of another session: it cannot be changed here")))
    finally:
        leader.unfollow(outbox)
        sender.cancel()
        await asyncio.gather(sender, return_exceptions=True)
