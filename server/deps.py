"""What HTTP handlers share: finding the session a request names, and changing it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import HTTPException, Path, Request

from engine.conv.session import ConvSession
from engine.errors import Refused
from engine.session import Session
from server.manager import SESSION_ID_PATTERN

SessionId = Annotated[str, Path(pattern=SESSION_ID_PATTERN, description="from the hello event")]


def session_of(request: Request, session_id: str) -> Session:
    session: Session | None = request.app.state.manager.sessions.get(session_id)
    if session is None:
        raise HTTPException(404, f"no open session {session_id}")
    return session


AnySession = TypeVar("AnySession", Session, ConvSession)


async def change_session(session: AnySession, change: Callable[[AnySession], None]) -> None:
    """Apply ``change`` in a worker thread under the session's lock; a refusal is a 422 and
    changes nothing. Then the session's socket shows the change."""

    def apply() -> None:
        with session.lock:
            change(session)

    try:
        await asyncio.to_thread(apply)
    except Refused as exc:
        raise HTTPException(422, str(exc.event()["message"])) from None
    if session.on_change is not None:
        session.on_change()
