"""One WebSocket connection: receive control messages, train, and stream frames.

Three tasks share a connection: the receiver (this coroutine), the producer (has frames drawn,
see server.drawer) and the outbox's sender (the only one that writes to the socket). The gym
trains.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from typing import Any, assert_never

from pydantic import ValidationError
from starlette.websockets import WebSocket

from engine import events
from engine.errors import validation_event
from engine.lessons import Lesson
from engine.schemas import (
    CLIENT_MESSAGE,
    Ack,
    AddPoint,
    ClearPoints,
    ClientMessage,
    Configure,
    Pause,
    Ping,
    Play,
    RemovePoint,
    Reset,
    SetLayer,
    SetWeight,
    ShowLesson,
    Step,
    UndoPoints,
    merge_config,
)
from engine.session import Session
from nets.editing import add_point, empty, remove_nearest
from nets.train import Diverged, StepLimit
from server.drawer import Drawer
from server.gym import Gym
from server.lessonstep import shown_step
from server.receiving import ACK, Unreadable, apply_or_explain, is_ack, parse_json, receive
from server.settings import Settings
from server.watched import Watched


class Connection(Watched[Session]):
    def __init__(
        self,
        ws: WebSocket,
        session: Session,
        pool: Executor,
        settings: Settings,
        gym: Gym,
        busy: Callable[[], int] = lambda: 1,
        drawer: Drawer | None = None,
    ) -> None:
        super().__init__(ws, session, pool, settings, busy)
        self.gym = gym
        self.drawer = drawer or Drawer(pool, processes=0)
        self.max_fps, self.max_total_fps = settings.max_fps, settings.max_total_fps
        # Training ran or paused: draw if the session has moved on from the last frame drawn.
        self.settle = False
        self.shown: tuple[int, int] | None = None  # (generation, step) of the last frame drawn
        self.drawing = False  # a frame is being drawn

    async def serve(self) -> None:
        """Run until the client goes away; always cleans up its tasks."""
        self.greet()
        sender = asyncio.create_task(self.outbox.run(self.ws))
        producer = asyncio.create_task(self._produce())
        watchdog = asyncio.create_task(
            self.idle.run(
                self.ws,
                lambda: self.session.running or bool(self.followers),
                self._send,
                self._stop,
            )
        )
        tasks = (sender, producer, watchdog)
        loop = asyncio.get_running_loop()
        self.gym.join(self.session, self._trained, loop)
        try:
            await receive(
                self.ws,
                self.idle,
                lambda received: read_message(received, self.max_bytes),
                lambda message: apply_or_explain(self._apply, message, self._send),
                self._send,
                (sender, producer),
            )
        finally:
            self.gym.leave(self.session)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self.session.running = False

    def interval(self) -> float:
        """Seconds between frames: the tab's cap, or a fair share of the server's frame budget
        when many tabs train at once (a class)."""
        return max(1.0 / self.max_fps, self.busy() / self.max_total_fps)

    def changed(self) -> None:
        """The session changed outside this socket (an upload): show it, and train on."""
        super().changed()
        self.gym.wake()

    # -- helpers --------------------------------------------------------------------------
    async def _show_lesson(self, message: ShowLesson) -> None:
        """The page shows this lesson step (or none)."""
        self.show_lesson(
            await shown_step(self.pool, self.lessons_dir, Lesson, message, "/api/lessons")
        )

    async def _train(self, steps: int) -> None:
        """Train by request (the step button), in a worker thread."""
        try:
            await self._locked(self.session.train, steps)
        except Diverged as exc:
            self._diverged(exc, self.session.step)
        self.dirty = True
        self.wake.set()

    def _trained(self, result: Exception | None) -> None:
        if result is None:
            self.settle = True
            self.wake.set()
            return
        if isinstance(result, Diverged):
            self._diverged(result, self.session.step)
        else:
            self.session.running = False
            internal = "training stopped on an internal error; press play or reset to go on"
            self._send(events.error(str(result) if isinstance(result, StepLimit) else internal))
            self._send_state()
        self.dirty = True
        self.wake.set()

    # -- producing frames -----------------------------------------------------------------
    async def _produce(self) -> None:
        """Draw a frame whenever something changed and the client is ready for one; while
        training runs, at most one per :meth:`interval` (the gym trains meanwhile)."""
        loop = asyncio.get_running_loop()
        last = -math.inf
        while True:
            self.wake.clear()
            if not ((self.dirty or self.settle) and self.outbox.wants_frame()):
                await self.wake.wait()
                continue
            wait = self.interval() - (loop.time() - last) if self.session.running else 0.0
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            now = (self.session.generation, self.session.step)
            if not self.dirty and self.shown == now:
                self.settle = False  # the last frame shows it already: the same again is waste
                continue
            self.dirty = self.settle = False
            last = loop.time()
            self.drawing = True
            try:
                load = self.busy() + len(self.followers)
                drawn = await self.drawer.draw(self.session, load)
                self.shown = drawn.shows
                self._offer_frame(drawn.frame)
            except Exception:  # a bug must not kill the session: say so, keep going
                self._frame_failed()
            finally:
                self.drawing = False

    # -- receiving control messages -------------------------------------------------------
    async def _apply(self, message: ClientMessage) -> None:
        session = self.session
        match message:
            case Ack():
                self.outbox.ack()
                return
            case Ping():
                self._send(events.pong())
                return
            case ShowLesson():
                await self._show_lesson(message)  # nothing to draw: only followers hear of it
                return
            case Play():
                session.running = True
            case Pause():
                session.running = False
                await self._locked(lambda: None)  # let a run in flight end: the state is final
                # One frame of the paused step follows the state: the last frame drawn, if it
                # shows that step and has not left yet (or is being drawn), else a new one.
                if not (self.drawing or self.outbox.holds_frame):
                    self.shown = None
                self.settle = True
                self.wake.set()
                self._send_state()
                return
            case Step(count=count):
                session.running = False
                await self._train(count)
            case Reset():
                await self._locked(session.reset)
            case AddPoint(x=x, y=y, label=label, test=test):
                await self._locked(session.edit_data, lambda d: add_point(d, x, y, label, test))
            case RemovePoint(x=x, y=y):
                await self._locked(session.edit_data, lambda d: remove_nearest(d, x, y))
            case ClearPoints():
                await self._locked(session.edit_data, lambda d: empty(d.n_classes))
            case UndoPoints():
                await self._locked(session.undo_points)
            case SetLayer(layer=layer, weight=weight, bias=bias):
                await self._locked(session.set_layer, layer, weight, bias)
            case SetWeight(layer=layer, row=row, col=col, value=value):
                await self._locked(session.set_weight, layer, row, col, value)
            case Configure(changes=changes):
                # Merged under the lock: an opened save or an upload may have replaced the
                # config since this message left the page, and the changes build on what is
                # there now.
                await self._locked(lambda: session.configure(merge_config(session.config, changes)))
            case _:
                assert_never(message)
        self.dirty = True
        self.edits += 1
        self.wake.set()
        self.gym.wake()
        self._send_state()


def read_message(received: Mapping[str, Any], max_bytes: int) -> ClientMessage:
    """The client message in a message received from the socket (one of the messages of
    engine.schemas). Raises :class:`Unreadable`."""
    if is_ack(received):
        return ACK
    raw = parse_json(received, max_bytes)
    try:
        return CLIENT_MESSAGE.validate_python(raw)
    except ValidationError as exc:
        raise Unreadable(validation_event(exc, skip=1)) from None
