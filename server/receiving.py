"""What both modes' sockets do with what arrives: read each message through the mode's union,
apply it, and answer a refusal with an error event, never dropping the session."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from pydantic import ValidationError
from starlette.websockets import WebSocket

from engine import events
from engine.errors import Refused, validation_event
from engine.schemas import Ack, allowed_text
from server.idle import IdleWatch

log = logging.getLogger("spacefold")
Message = TypeVar("Message")


class Unreadable(ValueError):
    """A socket message that is not a client message; ``event`` is the error that says why."""

    def __init__(self, event: events.Event) -> None:
        super().__init__(event["message"])
        self.event = event


#: A page's acknowledgement of a frame, as its ``JSON.stringify`` writes it: the message that
#: arrives most (every follower sends one for every frame), read without parsing it.
ACK_TEXT = '{"type":"ack"}'
ACK = Ack(type="ack")


def is_ack(received: Mapping[str, Any]) -> bool:
    """Whether ``received`` is the acknowledgement written as the page writes it (any other
    spelling of it is read as every message is)."""
    return received.get("text") == ACK_TEXT


def parse_json(received: Mapping[str, Any], max_bytes: int) -> Any:
    """The JSON in a message received from the socket (text, at most ``max_bytes`` bytes).
    Raises :class:`Unreadable`."""
    text = received.get("text")
    if text is None:
        raise Unreadable(events.error("binary messages are not accepted; send JSON text"))
    size = len(text.encode())
    if size > max_bytes:
        raise Unreadable(events.error(f"message of {size} bytes is over the {max_bytes}-byte cap"))
    try:
        return json.loads(text)
    except ValueError as exc:
        raise Unreadable(events.error(f"malformed JSON: {exc}")) from None
    except RecursionError:
        raise Unreadable(events.error("malformed JSON: nested too deeply")) from None


async def receive(
    ws: WebSocket,
    idle: IdleWatch,
    read: Callable[[Mapping[str, Any]], Message],
    handle: Callable[[Message], Awaitable[None]],
    send: Callable[[events.Event], None],
    tasks: tuple[asyncio.Task[None], ...],
) -> None:
    """Until the client goes away: read every message (``read``; an unreadable one is answered
    with its error) and ``handle`` it. Raises if one of ``tasks`` failed."""
    while True:
        received = await ws.receive()
        idle.touch()
        if received["type"] == "websocket.disconnect":
            return
        for task in tasks:
            if task.done() and task.exception() is not None:
                raise RuntimeError("connection task failed") from task.exception()
        try:
            message = read(received)
        except Unreadable as exc:
            send(exc.event)
            continue
        await handle(message)


async def apply_or_explain(
    apply: Callable[[Message], Awaitable[None]],
    message: Message,
    send: Callable[[events.Event], None],
    allowed_of: Callable[[str], str | None] = allowed_text,
) -> None:
    """``apply(message)``; a refusal or an invalid value is an error event naming the field
    (``allowed_of`` says what a field accepts), a bug one that says nothing changed."""
    try:
        await apply(message)
    except ValidationError as exc:
        send(validation_event(exc, allowed_of=allowed_of))
    except Refused as exc:
        send(exc.event())
    except Exception:  # a bug must not kill the session: report it and keep going
        log.exception("control message %r failed", message)
        send(events.error("the server could not apply that message; nothing changed"))
