"""One session's autosaves: while its tab is connected, the experiment is written to the store
every ``interval`` seconds if it changed, and once more when the tab goes."""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from server.autosaves import Autosaves, Mode

log = logging.getLogger("spacefold")


class Autosaver:
    def __init__(
        self,
        autosaves: Autosaves,
        mode: Mode,
        session: Any,
        dump: Callable[[], dict[str, Any] | None],
        edits: Callable[[], int],
        pool: Executor,
        *,
        interval: float,
        instance: str | None,
    ) -> None:
        """``dump`` writes the session's experiment file (called in ``pool`` holding the
        session's lock; None when it cannot be saved, as when training diverged); ``edits``
        counts the changes made to it that neither step nor generation shows (a weight set by
        hand, points drawn)."""
        self.autosaves, self.mode, self.session = autosaves, mode, session
        self.dump, self.edits, self.pool = dump, edits, pool
        self.interval, self.instance = interval, instance
        self.key = secrets.token_urlsafe(12)  # told to the session's own tab only
        self.written: tuple[int, int, int] | None = None

    def _seen(self) -> tuple[int, int, int]:
        return (self.edits(), self.session.generation, self.session.trainer.step_count)

    async def save(self, *, final: bool = False) -> None:
        """Write the experiment if it changed since the last write (and, when ``final``, mark
        it as the last one even if it did not)."""
        seen = self._seen()
        if seen == self.written and not final:
            return

        def write() -> None:
            with self.session.lock:
                body, step = self.dump(), self.session.trainer.step_count
            if body is not None:
                self.autosaves.put(
                    self.session.id, self.mode, self.key, self.instance, step, body, final=final
                )

        try:
            await asyncio.get_running_loop().run_in_executor(self.pool, write)
            self.written = seen
        except Exception:  # the store is down: the session goes on, the next write retries
            log.exception("autosave of session %s failed", self.session.id)

    async def run(self) -> None:
        """Save every ``interval`` seconds, until cancelled; the first time at a random point
        of the first interval, so that a class whose tabs opened together does not write all
        at once."""
        await asyncio.sleep(random.uniform(0, self.interval))
        while True:
            await self.save()
            await asyncio.sleep(self.interval)
