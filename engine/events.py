"""Every text event the server sends (docs/protocol.md, "Server → client"), built here only.

Each builder is named after the ``type`` of the event it builds; :data:`EVENT_TYPES` lists them.
The binary frames are built by :mod:`engine.arrays`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from engine.encoding import PROTOCOL

Event = dict[str, Any]
Builder = TypeVar("Builder", bound=Callable[..., Event])

#: The type of every event the server sends, in the order docs/protocol.md lists them.
EVENT_TYPES: list[str] = []


def _event(builder: Builder) -> Builder:
    EVENT_TYPES.append(builder.__name__)
    return builder


def text(event: Event) -> str:
    """An event as the JSON text that goes on the socket."""
    return json.dumps(event)


@_event
def hello(
    session: str,
    state: dict[str, Any],
    lesson: dict[str, Any] | None = None,
    *,
    follow: bool = False,
    instance: str | None = None,
    resume: str | None = None,
    restored: dict[str, Any] | None = None,
) -> Event:
    """The first event on a socket: the session's id and state, and the instance serving it. A
    follower's also says that it follows and which lesson step the leader shows; the session's
    own tab's carries the key that reopens its experiment after a lost socket (``resume``) and,
    when it was just reopened so, what was restored (``restored``)."""
    event: Event = {
        "type": "hello",
        "protocol": PROTOCOL,
        "session": session,
        "instance": instance,
        **state,
    }
    if follow:
        event.update({"follow": True, "lesson": lesson})
    if resume is not None:
        event["resume"] = resume
    if restored is not None:
        event["restored"] = restored
    return event


@_event
def moved(session: str) -> Event:
    """To a follower: the session it follows was reopened as ``session`` (its tab reconnected
    after its instance stopped); follow that one."""
    return {"type": "moved", "session": session}


@_event
def state(session_state: dict[str, Any], followers: int) -> Event:
    """The session's state (config, running, step, generation, undo) and its followers."""
    return {"type": "state", **session_state, "followers": followers}


@_event
def error(message: str, field: str | None = None, allowed: str | None = None) -> Event:
    """A refusal: what was wrong, the field at fault (dotted path) and what it accepts."""
    return {"type": "error", "message": message, "field": field, "allowed": allowed}


@_event
def diverged(step: int, message: str) -> Event:
    return {"type": "diverged", "step": step, "message": message}


@_event
def pong() -> Event:
    return {"type": "pong"}


@_event
def lesson(shown: dict[str, Any] | None) -> Event:
    """The lesson step the leader's page shows (``{"name", "step"}``), or None: to followers."""
    return {"type": "lesson", "lesson": shown}


@_event
def notice(message: str, field: str | None = None) -> Event:
    """News that is no refusal (a followed session answers again), about ``field``."""
    return {"type": "notice", "message": message, "field": field}
