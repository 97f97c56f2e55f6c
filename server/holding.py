"""Serving a session's own socket: the session is held by its id while the tab is connected
(followers find it there), autosaved meanwhile, reopened from an autosave when the tab
reconnects (``?resume=ID&key=KEY``), and closed when the socket goes."""

from __future__ import annotations

import asyncio
import math
import time
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from server.autosaver import Autosaver
from server.autosaves import Autosaves
from server.manager import SessionManager
from server.resume import dump, reopen
from server.saves import Saves
from server.watched import Watched

TAKE_OVER_SECONDS = 5.0  # how long a tab's new socket waits for its old one here to let go
PRUNE_EVERY = 3600.0  # seconds between forgetting old autosaves while the app runs


def _writer() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(1, thread_name_prefix="spacefold-autosave")


class Holding:
    """The app's held sessions' serving: one per app; ``pool`` is set once the app starts."""

    def __init__(
        self,
        manager: SessionManager,
        autosaves: Autosaves,
        instance: str | None,
        autosave_seconds: float,
    ) -> None:
        self.manager, self.autosaves = manager, autosaves
        self.instance, self.autosave_seconds = instance, autosave_seconds
        self.pool: Executor | None = None
        # Autosaves are written by a thread of their own, so that a class's autosaves never
        # keep the shared pool from control messages and frames.
        self.writer = _writer()
        self.serving: dict[str, asyncio.Task[None]] = {}  # each held session's, by id
        self.finishing: dict[str, asyncio.Task[None]] = {}  # last autosaves being written
        self.pruned_at = time.monotonic()  # the app prunes when it starts
        self.opening: set[str] = set()  # sessions being reopened from an autosave, by new id

    async def _let_go(self, old: str) -> None:
        """Session ``old``'s socket may still be held here (its tab reconnected before the old
        socket was seen to close): stop serving it and wait for its last autosave."""
        task = self.serving.get(old)
        if task is not None:
            task.cancel()
            await asyncio.wait({task}, timeout=TAKE_OVER_SECONDS)
        last = self.finishing.get(old)
        if last is not None:
            await asyncio.wait({last}, timeout=TAKE_OVER_SECONDS)

    async def serve(
        self,
        connection: Watched[Any],
        held: dict[str, Any],
        session: Any,
        kind: Saves[Any, Any],
    ) -> None:
        """Serve ``connection`` (of ``session``), named by the session's id in ``held``."""
        assert self.pool is not None, "the app has not started"
        query = connection.ws.query_params
        old, key = query.get("resume"), query.get("key")
        restored: dict[str, Any] | None = None
        if old is not None:
            self.opening.add(session.id)  # followers told it moved here may come before it
            try:
                await self._let_go(old)
                restored, refusal = await reopen(
                    self.autosaves, kind, old, key or "", session, self.pool
                )
            except BaseException:
                self.opening.discard(session.id)
                raise
            if refusal is not None:
                connection.after_hello.append(refusal)
        autosaver = Autosaver(
            self.autosaves,
            kind.mode,
            session,
            lambda: dump(kind, session),
            lambda: connection.edits,
            self.writer,
            interval=self.autosave_seconds,
            instance=self.instance,
        )
        connection.greeting = {"instance": self.instance, "resume": autosaver.key}
        if restored is not None:
            connection.greeting["restored"] = restored
        saving = asyncio.create_task(autosaver.run())
        task = asyncio.create_task(connection.serve())
        held[session.id], self.serving[session.id] = connection, task
        self.opening.discard(session.id)
        try:
            await asyncio.wait({task})
        finally:
            task.cancel()
            saving.cancel()
            held.pop(session.id, None)
            self.serving.pop(session.id, None)
            self.manager.close(session)
            last = asyncio.create_task(self._last(task, saving, autosaver, session.id))
            self.finishing[session.id] = last

    async def _last(
        self, task: asyncio.Task[None], saving: asyncio.Task[None], saver: Autosaver, key: str
    ) -> None:
        """Once the socket's tasks have ended, write the last autosave, marked final."""
        try:
            await asyncio.gather(task, saving, return_exceptions=True)
            await saver.save(final=True)
            await self._prune()
        finally:
            self.finishing.pop(key, None)

    async def _prune(self) -> None:
        """Forget old autosaves (a day), at most once every :data:`PRUNE_EVERY` seconds."""
        now = time.monotonic()
        if now - self.pruned_at < PRUNE_EVERY:
            return
        self.pruned_at = now
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self.writer, self.autosaves.prune)
        except Exception:  # the store is down: the next tab that goes tries again
            self.pruned_at = -math.inf

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for the last autosaves being written (the app is stopping)."""
        if self.finishing:
            await asyncio.wait(set(self.finishing.values()), timeout=timeout)
        self.writer.shutdown(wait=False)
        self.writer = _writer()  # for the app's next start (its thread starts when first used)
