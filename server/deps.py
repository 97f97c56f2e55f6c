"""What HTTP handlers share: finding the session a request names."""

from __future__ import annotations

from typing import Annotated

from fastapi import HTTPException, Path, Request

from server.session import Session

SessionId = Annotated[str, Path(pattern=r"^[0-9a-f]{12}$", description="from the hello event")]


def session_of(request: Request, session_id: str) -> Session:
    session: Session | None = request.app.state.manager.sessions.get(session_id)
    if session is None:
        raise HTTPException(404, f"no open session {session_id}")
    return session
