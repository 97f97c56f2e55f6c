"""A follower of a session this instance does not hold (nor, with a broker, any instance): say
where it went (its tab reopened it as another session), that its instance stopped (and the page
should try again), or that there is no such session."""

from __future__ import annotations

import asyncio
from collections.abc import Container
from concurrent.futures import Executor

from fastapi import WebSocket, status

from engine import events
from server.autosaves import Autosaves, Mode

STOPPED = (
    "the session {id} stopped with its server; its tab has not reconnected yet, and this view "
    "follows it again when it does"
)


async def no_leader(
    ws: WebSocket,
    autosaves: Autosaves,
    pool: Executor,
    leader_id: str,
    mode: Mode,
    opening: Container[str] = (),
) -> None:
    """``opening``: sessions being reopened here from an autosave (a follower told where its
    session went may come a moment before it is there): try again, at once."""
    if leader_id in opening:
        await ws.close(code=status.WS_1013_TRY_AGAIN_LATER, reason="the session is opening")
        return
    loop = asyncio.get_running_loop()
    try:
        moved, stopped = await loop.run_in_executor(pool, autosaves.whereabouts, leader_id, mode)
    except Exception:  # the store is down: what can be said without it
        moved, stopped = None, False
    if moved is not None:
        await ws.send_text(events.text(events.moved(moved)))
        await ws.close(code=status.WS_1000_NORMAL_CLOSURE, reason="the session moved")
    elif stopped:
        await ws.send_text(events.text(events.error(STOPPED.format(id=leader_id), "follow")))
        await ws.close(code=status.WS_1013_TRY_AGAIN_LATER, reason="its server stopped")
    else:
        message = f"no session {leader_id} to follow: has its tab been closed?"
        await ws.send_text(events.text(events.error(message, "follow")))
        await ws.close(code=status.WS_1008_POLICY_VIOLATION, reason="no such session")
