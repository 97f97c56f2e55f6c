"""One WebSocket connection: receive control messages, train, and stream frames.

Three tasks share a connection: the receiver (this coroutine), the producer (has frames drawn,
see server.drawer) and the outbox's sender (the only one that writes to the socket). The gym
trains.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, TypeVar

from pydantic import ValidationError
from starlette.websockets import WebSocket

from nets.editing import add_point, empty, remove_nearest
from nets.train import Diverged
from server.drawer import Drawer
from server.errors import Refused, error_event, validation_event
from server.frames import PROTOCOL
from server.gym import Gym
from server.lessons import served_lesson
from server.outbox import Outbox
from server.schemas import (
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
from server.session import Session
from server.settings import Settings

log = logging.getLogger("spacefold")
T = TypeVar("T")


class Connection:
    def __init__(
        self, ws: WebSocket, session: Session, pool: Executor, settings: Settings, gym: Gym,
        busy: Callable[[], int] = lambda: 1, drawer: Drawer | None = None,
    ) -> None:
        self.ws, self.session, self.pool, self.gym = ws, session, pool, gym
        self.drawer = drawer or Drawer(pool, processes=0)
        self.max_fps, self.max_total_fps = settings.max_fps, settings.max_total_fps
        self.busy = busy  # how many sessions are training on this server now
        self.max_bytes = settings.max_message_bytes
        self.idle_seconds = settings.idle_minutes * 60
        self.wake = asyncio.Event()
        self.outbox = Outbox(self.wake)
        self.followers: set[Outbox] = set()  # read-only viewers of this session (follow mode)
        self.lessons_dir = settings.lessons_dir
        self.lesson: dict[str, Any] | None = None  # the lesson step the page shows, for followers
        self.dirty = True  # the client has not seen the current state yet

    async def serve(self) -> None:
        """Run until the client goes away; always cleans up its tasks."""
        self.session.on_change = self.changed
        self._send({"type": "hello", "protocol": PROTOCOL, "session": self.session.id,
                    **self.session.state()})
        sender = asyncio.create_task(self.outbox.run(self.ws))
        producer = asyncio.create_task(self._produce())
        watchdog = asyncio.create_task(self._close_when_idle())
        tasks = (sender, producer, watchdog)
        loop = asyncio.get_running_loop()
        self.gym.join(self.session, self._trained, loop)
        try:
            await self._receive(sender, producer)
        finally:
            self.gym.leave(self.session)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self.session.running = False

    async def _close_when_idle(self) -> None:
        """Close a tab that neither trains, nor is followed, nor sends anything for a while."""
        loop = asyncio.get_running_loop()
        self.last_active = loop.time()
        while True:
            await asyncio.sleep(min(self.idle_seconds, 30.0) / 2)
            busy = self.session.running or self.followers
            if busy:
                self.last_active = loop.time()
            elif loop.time() - self.last_active >= self.idle_seconds:
                break
        minutes = f"{self.idle_seconds / 60:g}"
        self._send(error_event(f"closed after {minutes} minutes without use; reload the page "
                               "to start again"))
        await asyncio.sleep(0.2)  # let the outbox deliver it
        self.session.running = False
        await self.ws.close(code=1001, reason="idle")  # the client's answer ends _receive

    def interval(self) -> float:
        """Seconds between frames: the tab's cap, or a fair share of the server's frame budget
        when many tabs train at once (a class)."""
        return max(1.0 / self.max_fps, self.busy() / self.max_total_fps)

    def changed(self) -> None:
        """The session changed outside this socket (an upload): show it."""
        self.dirty = True
        self.wake.set()
        self.gym.wake()
        self._send_state()

    # -- helpers --------------------------------------------------------------------------
    async def _locked(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn`` in a worker thread, holding the session's lock."""
        def call() -> T:
            with self.session.lock:
                return fn(*args)

        return await asyncio.get_running_loop().run_in_executor(self.pool, call)

    def _send(self, event: dict[str, Any]) -> None:
        self.outbox.send_text(json.dumps(event))

    def _send_state(self) -> None:
        event = json.dumps({"type": "state", **self.session.state(),
                            "followers": len(self.followers)})
        self.outbox.send_text(event)
        for follower in self.followers:
            follower.send_text(event)

    def _offer_frame(self, frame: bytes) -> None:
        self.outbox.offer_frame(frame)
        for follower in self.followers:
            follower.offer_frame(frame)

    def follow(self, outbox: Outbox) -> None:
        """A follower joins: it gets every frame and state from now on, starting at once."""
        self.followers.add(outbox)
        self.changed()

    async def _show_lesson(self, message: ShowLesson) -> None:
        """The page shows this lesson step (or none): keep it and tell every follower."""
        shown = None
        if message.name is not None:
            loop = asyncio.get_running_loop()
            lesson = await loop.run_in_executor(
                self.pool, served_lesson, self.lessons_dir, message.name)
            if lesson is None:
                raise Refused(f"there is no lesson {message.name}", "name",
                              "a lesson's name from GET /api/lessons, or null")
            if message.step >= len(lesson.steps):
                raise Refused(f"lesson {message.name} has {len(lesson.steps)} steps", "step",
                              f"from 0 up to {len(lesson.steps) - 1}")
            shown = {"name": message.name, "step": message.step}
        self.lesson = shown
        event = json.dumps({"type": "lesson", "lesson": shown})
        for follower in self.followers:
            follower.send_text(event)

    def unfollow(self, outbox: Outbox) -> None:
        self.followers.discard(outbox)
        self._send_state()

    async def _train(self, steps: int) -> None:
        """Train by request (the step button), in a worker thread."""
        try:
            await self._locked(self.session.train, steps)
        except Diverged as exc:
            self._diverged(exc)
        self.dirty = True
        self.wake.set()

    def _trained(self, result: Exception | None) -> None:
        if isinstance(result, Diverged):
            self._diverged(result)
        elif result is not None:
            self.session.running = False
            self._send(error_event("training stopped on an internal error; press play or "
                                   "reset to go on"))
            self._send_state()
        self.dirty = True
        self.wake.set()

    def _diverged(self, exc: Diverged) -> None:
        self.session.running = False
        message = f"Training diverged ({exc}). Press reset to start again."
        event = json.dumps({"type": "diverged", "step": self.session.step, "message": message})
        for outbox in (self.outbox, *self.followers):
            outbox.send_text(event)
        self._send_state()

    # -- producing frames -----------------------------------------------------------------
    async def _produce(self) -> None:
        """Draw a frame whenever something changed and the client is ready for one; while
        training runs, at most one per :meth:`interval` (the gym trains meanwhile)."""
        loop = asyncio.get_running_loop()
        last = -math.inf
        while True:
            self.wake.clear()
            if not (self.dirty and self.outbox.wants_frame()):
                await self.wake.wait()
                continue
            wait = self.interval() - (loop.time() - last) if self.session.running else 0.0
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            self.dirty = False
            last = loop.time()
            try:
                load = self.busy() + len(self.followers)
                self._offer_frame(await self.drawer.frame(self.session, load))
            except Exception:  # a bug must not kill the session: say so, keep going
                log.exception("frame of session %s failed", self.session.id)
                self._send(error_event("this step could not be drawn; training goes on"))

    # -- receiving control messages -------------------------------------------------------
    async def _receive(self, *tasks: asyncio.Task[None]) -> None:
        while True:
            message = await self.ws.receive()
            self.last_active = asyncio.get_running_loop().time()
            if message["type"] == "websocket.disconnect":
                return
            for task in tasks:
                if task.done() and task.exception() is not None:
                    raise RuntimeError("connection task failed") from task.exception()
            text = message.get("text")
            if text is None:
                self._send(error_event("binary messages are not accepted; send JSON text"))
                continue
            if len(text.encode()) > self.max_bytes:
                self._send(error_event(
                    f"message of {len(text.encode())} bytes is over the {self.max_bytes}-byte cap"))
                continue
            await self._handle(text)

    async def _handle(self, text: str) -> None:
        try:
            raw = json.loads(text)
        except ValueError as exc:
            self._send(error_event(f"malformed JSON: {exc}"))
            return
        except RecursionError:
            self._send(error_event("malformed JSON: nested too deeply"))
            return
        try:
            parsed = CLIENT_MESSAGE.validate_python(raw)
        except ValidationError as exc:
            self._send(validation_event(exc, skip=1))
            return
        try:
            await self._apply(parsed)
        except ValidationError as exc:
            self._send(validation_event(exc))
        except Refused as exc:
            self._send(exc.event())
        except Exception:  # a bug must not kill the session: report it and keep going
            log.exception("control message %r failed", raw)
            self._send(error_event("the server could not apply that message; nothing changed"))

    async def _apply(self, message: ClientMessage) -> None:
        session = self.session
        if isinstance(message, Ack):
            self.outbox.ack()
            return
        if isinstance(message, Ping):
            self._send({"type": "pong"})
            return
        if isinstance(message, ShowLesson):
            await self._show_lesson(message)  # nothing to draw: only followers hear of it
            return
        if isinstance(message, Play):
            session.running = True
        elif isinstance(message, Pause):
            session.running = False
            await self._locked(lambda: None)  # let a chunk in flight finish: the state is final
        elif isinstance(message, Step):
            session.running = False
            await self._train(message.count)
        elif isinstance(message, Reset):
            await self._locked(session.reset)
        elif isinstance(message, AddPoint):
            await self._locked(session.edit_data, lambda d: add_point(
                d, message.x, message.y, message.label, message.test))
        elif isinstance(message, RemovePoint):
            await self._locked(session.edit_data, lambda d: remove_nearest(
                d, message.x, message.y))
        elif isinstance(message, ClearPoints):
            await self._locked(session.edit_data, lambda d: empty(d.n_classes))
        elif isinstance(message, UndoPoints):
            await self._locked(session.undo_points)
        elif isinstance(message, SetLayer):
            await self._locked(session.set_layer, message.layer, message.weight, message.bias)
        elif isinstance(message, SetWeight):
            await self._locked(session.set_weight, message.layer, message.row, message.col,
                               message.value)
        elif isinstance(message, Configure):
            # Merged under the lock: an opened save or an upload may have replaced the config
            # since this message left the page, and the changes build on what is there now.
            changes = message.changes
            await self._locked(lambda: session.configure(merge_config(session.config, changes)))
        self.dirty = True
        self.wake.set()
        self.gym.wake()
        self._send_state()
