"""Follow mode: a read-only view of another tab's session, for a class watching the teacher."""

from __future__ import annotations

import asyncio
from typing import assert_never

from starlette.websockets import WebSocket

from engine import events
from engine.schemas import (
    Ack,
    AddPoint,
    ClearPoints,
    Configure,
    Pause,
    Ping,
    Play,
    RemovePoint,
    Reset,
    SetLayer,
    SetWeight,
    ShowLesson,
    Step,
    UndoPoints,
)
from server.connection import Connection, Unreadable, read_message
from server.outbox import Outbox


async def follow(ws: WebSocket, leader: Connection, max_bytes: int) -> None:
    """Relay the leader's frames and states to ``ws`` until it goes away; it drives nothing."""
    outbox = Outbox(asyncio.Event())
    outbox.send_text(
        events.text(
            events.hello(leader.session.id, leader.session.state(), leader.lesson, follow=True)
        )
    )
    sender = asyncio.create_task(outbox.run(ws))
    leader.follow(outbox)
    try:
        while True:
            received = await ws.receive()
            if received["type"] == "websocket.disconnect" or sender.done():
                return
            try:
                message = read_message(received, max_bytes)
            except Unreadable as exc:
                outbox.send_text(events.text(exc.event))
                continue
            match message:
                case Ack():
                    outbox.ack()
                case Ping():
                    outbox.send_text(events.text(events.pong()))
                case (
                    Play()
                    | Pause()
                    | Step()
                    | Reset()
                    | Configure()
                    | SetWeight()
                    | SetLayer()
                    | AddPoint()
                    | RemovePoint()
                    | ClearPoints()
                    | UndoPoints()
                    | ShowLesson()
                ):  # every message that would change the session or what it shows
                    outbox.send_text(
                        events.text(
                            events.error(
                                "this is a read-only view of another session: it cannot be changed "
                                "here"
                            )
                        )
                    )
                case _:
                    assert_never(message)
    finally:
        leader.unfollow(outbox)
        sender.cancel()
        await asyncio.gather(sender, return_exceptions=True)
