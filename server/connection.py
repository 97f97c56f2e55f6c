"""One WebSocket connection: receive control messages, train, and stream frames.

Three tasks share a connection: the receiver (this coroutine), the producer (has frames drawn,
see server.drawer) and the outbox's sender (the only one that writes to the socket). The gym
trains.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from typing import Any, TypeVar, assert_never

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
from server.idle import IdleWatch
from server.lessonstep import shown_step
from server.outbox import Outbox
from server.receiving import Unreadable, apply_or_explain, parse_json, receive
from server.settings import Settings

log = logging.getLogger("spacefold")
T = TypeVar("T")


class Connection:
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
        self.ws, self.session, self.pool, self.gym = ws, session, pool, gym
        self.drawer = drawer or Drawer(pool, processes=0)
        self.max_fps, self.max_total_fps = settings.max_fps, settings.max_total_fps
        self.busy = busy  # how many sessions are training on this server now
        self.max_bytes = settings.max_message_bytes
        self.idle = IdleWatch(settings.idle_minutes * 60)
        self.wake = asyncio.Event()
        self.outbox = Outbox(self.wake)
        self.followers: set[Outbox] = set()  # read-only viewers of this session (follow mode)
        # Followers on other instances (server.broker): their relay is one of ``followers``.
        self.relay: Outbox | None = None
        self.remote_followers = 0
        self.lessons_dir = settings.lessons_dir
        self.lesson: dict[str, Any] | None = None  # the lesson step the page shows, for followers
        self.dirty = True  # the client has not seen the current state yet
        self.edits = 0  # changes made to the session (its autosaves watch this)
        self.greeting: dict[str, Any] = {}  # more of this tab's hello (instance, resume...)
        self.after_hello: list[events.Event] = []  # sent right after the hello
        # Training ran or paused: draw if the session has moved on from the last frame drawn.
        self.settle = False
        self.shown: tuple[int, int] | None = None  # (generation, step) of the last frame drawn
        self.drawing = False  # a frame is being drawn

    async def serve(self) -> None:
        """Run until the client goes away; always cleans up its tasks."""
        self.session.on_change = self.changed
        self._send(events.hello(self.session.id, self.session.state(), **self.greeting))
        for event in self.after_hello:
            self._send(event)
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

    def _stop(self) -> None:
        self.session.running = False

    def interval(self) -> float:
        """Seconds between frames: the tab's cap, or a fair share of the server's frame budget
        when many tabs train at once (a class)."""
        return max(1.0 / self.max_fps, self.busy() / self.max_total_fps)

    def changed(self) -> None:
        """The session changed outside this socket (an upload): show it."""
        self.dirty = True
        self.edits += 1
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

    def _send(self, event: events.Event) -> None:
        self.outbox.send_text(events.text(event))

    def _send_state(self) -> None:
        event = events.text(events.state(self.session.state(), self.follower_count()))
        self.outbox.send_text(event)
        for follower in self.followers:
            follower.send_text(event)

    def _offer_frame(self, frame: bytes) -> None:
        self.outbox.offer_frame(frame)
        for follower in self.followers:
            follower.offer_frame(frame)

    def follower_count(self) -> int:
        """How many watch this session, here and on other instances (not their relay)."""
        relayed = self.relay is not None and self.relay in self.followers
        return len(self.followers) - relayed + self.remote_followers

    def follow(self, outbox: Outbox) -> None:
        """A follower joins: it gets every frame and state from now on, starting at once."""
        self.followers.add(outbox)
        self.changed()

    async def _show_lesson(self, message: ShowLesson) -> None:
        """The page shows this lesson step (or none): keep it and tell every follower."""
        shown = await shown_step(self.pool, self.lessons_dir, Lesson, message, "/api/lessons")
        self.lesson = shown
        event = events.text(events.lesson(shown))
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
        if result is None:
            self.settle = True
            self.wake.set()
            return
        if isinstance(result, Diverged):
            self._diverged(result)
        else:
            self.session.running = False
            internal = "training stopped on an internal error; press play or reset to go on"
            self._send(events.error(str(result) if isinstance(result, StepLimit) else internal))
            self._send_state()
        self.dirty = True
        self.wake.set()

    def _diverged(self, exc: Diverged) -> None:
        self.session.running = False
        message = f"Training diverged ({exc}). Press reset to start again."
        event = events.text(events.diverged(self.session.step, message))
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
                log.exception("frame of session %s failed", self.session.id)
                self._send(events.error("this step could not be drawn; training goes on"))
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
    raw = parse_json(received, max_bytes)
    try:
        return CLIENT_MESSAGE.validate_python(raw)
    except ValidationError as exc:
        raise Unreadable(validation_event(exc, skip=1)) from None
