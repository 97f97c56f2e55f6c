"""Where frames are drawn: in drawing processes when the server has them, else in threads.

One Python process runs Python on one core at a time, and a class of sessions needs more than
a core of frames. So the server keeps ``frame_processes`` drawing processes: a connection takes
a :class:`~engine.state.SessionState` of its session under the lock (tens of microseconds) and
a process draws the frame from it while training goes on. The processes start the first time
the server is busy (see :data:`CROWD`): one tab never pays for them (each holds a copy of
torch, about 235 MB). While the server is quiet, until the processes have started (a couple of
seconds), and for a while after they fail (see :data:`RETRY_S`), frames are drawn in the
thread pool as before, under the session's lock.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from concurrent.futures import Executor
from dataclasses import dataclass

from engine.session import Session
from engine.state import SessionState
from server.processes import DrawingFailed, DrawingProcesses, ProcessesGone

log = logging.getLogger("spacefold")

#: The load (sessions training, plus a session's followers) from which frames are drawn in
#: the drawing processes.
CROWD = 3
#: Seconds after a failure before the drawing processes start again, and how many times.
RETRY_S = 30.0
RESTARTS = 3


def auto_processes() -> int:
    """Drawing processes when the setting is left to the server: one a core, at most 4 (plenty
    for a class), and none on a single core (there the processes would only add copying)."""
    cores = os.cpu_count() or 1
    return 0 if cores < 2 else min(4, cores)


class Drawer:
    """Draws sessions' frames. ``processes`` 0 draws every frame in ``threads``. Create it
    in the event loop that will use it."""

    def __init__(self, threads: Executor, processes: int) -> None:
        self.threads = threads
        self.wanted = processes
        self.processes: DrawingProcesses | None = None
        self.restarts = 0
        self.lost_at: float | None = None  # when the processes were found closed
        self.closing = False

    def _start(self) -> None:
        """The first time the server is busy: start the drawing processes."""
        try:
            self.processes = DrawingProcesses(self.wanted)
        except Exception:  # e.g. an event loop that can't watch pipes (Windows')
            log.exception("no drawing processes: frames are drawn in threads")
            self.wanted = 0

    def _renew(self) -> None:
        """Processes closed by a failure start again :data:`RETRY_S` later (frames are drawn in
        threads meanwhile), :data:`RESTARTS` times at most in the server's life."""
        processes = self.processes
        if processes is None or not processes.closed or self.closing:
            return
        now = time.monotonic()
        if self.lost_at is None:
            self.lost_at = now
            log.warning("frames are drawn in threads until the drawing processes start again")
        if now - self.lost_at < RETRY_S or self.restarts >= RESTARTS:
            return
        self.restarts += 1
        self.lost_at = None
        try:
            self.processes = DrawingProcesses(self.wanted)
        except Exception:
            log.exception("the drawing processes could not start again")

    @property
    def count(self) -> int:
        """Drawing processes running (0: frames are drawn in threads; none before the server
        is first busy)."""
        return 0 if self.processes is None or self.processes.closed else self.processes.count

    @property
    def drawn(self) -> int:
        """Frames handed to the drawing processes so far."""
        return 0 if self.processes is None else self.processes.asked

    @property
    def ready(self) -> bool:
        """Frames go to the drawing processes (they have started)."""
        return self.processes is not None and self.processes.ready

    def close(self) -> None:
        self.closing = True
        if self.processes is not None:
            self.processes.close()

    async def frame(self, session: Session, load: int) -> bytes:
        """A frame of ``session`` as it is now (see :meth:`draw`)."""
        return (await self.draw(session, load)).frame

    async def draw(self, session: Session, load: int) -> Drawn:
        """A frame of ``session`` as it is now, and what it shows. ``load`` is how busy the
        server is (the sessions training, plus the sockets this frame goes to): from
        :data:`CROWD` on, the frame is drawn in a drawing process; below it, in a thread, which
        answers sooner (no hop to another process and back) while the server's own process has
        time to spare."""
        if load >= CROWD and self.processes is None and self.wanted > 0 and not self.closing:
            self._start()
        self._renew()
        processes = self.processes
        if processes is None or not processes.ready or load < CROWD:
            return await self._in_thread(session)
        if session.lock.acquire(blocking=False):  # the usual case: take it here, it is quick
            try:
                state = session.copy_state()
            finally:
                session.lock.release()
        else:  # training or a control message holds the session: wait in a thread
            loop = asyncio.get_running_loop()
            state = await loop.run_in_executor(self.threads, _locked_state, session)
        try:
            data, memory = await processes.draw(state)
        except ProcessesGone:  # closed by now: _renew starts them again later
            return await self._in_thread(session)
        except DrawingFailed as exc:
            raise RuntimeError(f"a drawing process failed:\n{exc}") from None
        session.remember(memory)
        return Drawn(data, (state.generation, state.metrics.step))

    async def _in_thread(self, session: Session) -> Drawn:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.threads, _locked_frame, session)


@dataclass(frozen=True)
class Drawn:
    """A frame, and the (generation, step) of the session it shows."""

    frame: bytes
    shows: tuple[int, int]


def _locked_frame(session: Session) -> Drawn:
    with session.lock:
        return Drawn(session.frame(), (session.generation, session.step))


def _locked_state(session: Session) -> SessionState:
    with session.lock:
        return session.copy_state()
