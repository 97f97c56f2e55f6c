"""A tab that lost its socket reconnects with ``?resume=ID&key=KEY`` and gets its experiment
back: the autosave of session ID (server/autosaves.py) reopens in the tab's new session, on
whichever instance the tab reached. A refusal (no autosave, another tab's key, reopened already)
leaves the new session as it is and says why."""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import Executor
from typing import Any

from pydantic import ValidationError

from engine import events
from engine.errors import Refused
from server.autosaves import Autosave, Autosaves, Refusal
from server.saves import Saves

log = logging.getLogger("spacefold")


def dump(kind: Saves[Any, Any], session: Any) -> dict[str, Any] | None:
    """The session's experiment file as JSON (hold its lock), or None if it cannot be saved."""
    try:
        return dict(kind.write(session).model_dump(mode="json"))
    except Refused:  # diverged: the autosave before it stays
        return None


async def reopen(
    autosaves: Autosaves,
    kind: Saves[Any, Any],
    old_id: str,
    key: str,
    session: Any,
    pool: Executor,
) -> tuple[dict[str, Any] | None, events.Event | None]:
    """Reopen session ``old_id``'s autosave in ``session``: what to tell the tab in its hello
    (``restored``), or else an error event saying why not."""

    def work() -> Autosave:
        saved = autosaves.take(old_id, kind.mode, key, session.id)
        with session.lock:
            kind.restore(session, kind.file.model_validate(saved.body))
        return saved

    try:
        saved = await asyncio.get_running_loop().run_in_executor(pool, work)
    except Refusal as exc:
        return None, events.error(f"your experiment could not be reopened: {exc}", "resume")
    except (ValidationError, Refused) as exc:
        log.warning("autosave of session %s does not reopen: %s", old_id, exc)
        return None, events.error("your experiment's autosave could not be read", "resume")
    except Exception:  # the store is down: a new session still works
        log.exception("reopening session %s failed", old_id)
        return None, events.error("the store of autosaves cannot be reached now", "resume")
    restored = {
        "from": old_id,
        "step": saved.step,
        "age": round(max(0.0, time.time() - saved.saved), 1),
        "final": saved.final,
        "instance": saved.instance,
    }
    return restored, None
