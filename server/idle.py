"""Closing a tab that nobody uses: neither training, nor followed, nor sending anything."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.websockets import WebSocket

from engine import events


class IdleWatch:
    """Closes ``ws`` after ``seconds`` without a message from it while ``busy()`` is false."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.last_active = 0.0

    def touch(self) -> None:
        """The client sent something."""
        self.last_active = asyncio.get_running_loop().time()

    async def run(
        self,
        ws: WebSocket,
        busy: Callable[[], bool],
        say: Callable[[events.Event], None],
        stop: Callable[[], None],
    ) -> None:
        """Watch until idle, then say why (``say``), ``stop`` the session and close."""
        loop = asyncio.get_running_loop()
        self.touch()
        while True:
            await asyncio.sleep(min(self.seconds, 30.0) / 2)
            if busy():
                self.touch()
            elif loop.time() - self.last_active >= self.seconds:
                break
        minutes = f"{self.seconds / 60:g}"
        say(
            events.error(
                f"closed after {minutes} minutes without use; reload the page to start again"
            )
        )
        await asyncio.sleep(0.2)  # let the outbox deliver it
        stop()
        await ws.close(code=1001, reason="idle")  # the client's answer ends the receiver
