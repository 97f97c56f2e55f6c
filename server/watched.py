"""What the socket driving a session keeps and does in either mode (server.connection for the
fold, server.convconnection for convolution): its outbox, the followers that watch it here and
on other instances, the lesson step it shows them, the edits its autosaves watch, and its
hello. The two modes' sockets differ in how they train and draw, and in nothing here."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, Generic, Protocol, TypeVar

from starlette.websockets import WebSocket

from engine import events
from server.idle import IdleWatch
from server.outbox import Outbox
from server.settings import Settings

log = logging.getLogger("spacefold")
T = TypeVar("T")
#: Seconds a change of the follower count waits to be said, with the changes after it.
COUNT_WAIT = 0.1


class Watchable(Protocol):
    """A session of either mode, as its socket sees it."""

    id: str
    lock: threading.Lock
    running: bool
    on_change: Callable[[], None] | None

    def state(self) -> dict[str, Any]: ...


S = TypeVar("S", bound=Watchable)


class Watched(Generic[S]):
    """The socket that drives ``session``; ``busy`` counts the sessions of its mode training
    on this server now."""

    def __init__(
        self,
        ws: WebSocket,
        session: S,
        pool: Executor,
        settings: Settings,
        busy: Callable[[], int],
    ) -> None:
        self.ws, self.session, self.pool, self.busy = ws, session, pool, busy
        self.max_bytes = settings.max_message_bytes
        self.lessons_dir = settings.lessons_dir
        self.idle = IdleWatch(settings.idle_minutes * 60)
        self.wake = asyncio.Event()
        self.outbox = Outbox(self.wake)
        self.followers: set[Outbox] = set()  # read-only viewers of this session (follow mode)
        # Followers on other instances (server.broker): their relay is one of ``followers``.
        self.relay: Outbox | None = None
        self.remote_followers = 0
        self.lesson: dict[str, Any] | None = None  # the lesson step the page shows, for followers
        self.dirty = True  # the client has not seen the current state yet
        self.last_frame: bytes | None = None  # the last frame offered: what a joiner is shown
        self._count_call: asyncio.TimerHandle | None = None  # a state to say the follower count
        self._carry_again = False  # whether the relay carries the last frame with that state
        self.edits = 0  # changes made to the session (its autosaves watch this)
        self.greeting: dict[str, Any] = {}  # more of this tab's hello (instance, resume...)
        self.after_hello: list[events.Event] = []  # sent right after the hello

    async def serve(self) -> None:
        """Run until the client goes away (each mode's own)."""
        raise NotImplementedError

    def greet(self) -> None:
        """Take the session's outside changes from now on, and say hello (and what follows it)."""
        self.session.on_change = self.changed
        self._send(events.hello(self.session.id, self.session.state(), **self.greeting))
        for event in self.after_hello:
            self._send(event)

    def _stop(self) -> None:
        self.session.running = False

    def changed(self) -> None:
        """The session changed outside this socket (a save opened, an upload): show it."""
        self.dirty = True
        self.edits += 1
        self.wake.set()
        self._send_state()

    async def _locked(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn`` in a worker thread, holding the session's lock."""

        def call() -> T:
            with self.session.lock:
                return fn(*args)

        return await asyncio.get_running_loop().run_in_executor(self.pool, call)

    def _send(self, event: events.Event) -> None:
        """Send ``event`` to this tab."""
        self.outbox.send_text(events.text(event))

    def _send_all(self, event: events.Event) -> None:
        """Send ``event`` to this tab and every follower."""
        text = events.text(event)
        for outbox in (self.outbox, *self.followers):
            outbox.send_text(text)

    def _offer_frame(self, frame: bytes) -> None:
        """Offer a frame to this tab and every follower (each takes it when it is ready)."""
        self.last_frame = frame
        for outbox in (self.outbox, *self.followers):
            outbox.offer_frame(frame)

    def _frame_failed(self) -> None:
        """Drawing a frame raised (a bug): log it and say so; the session goes on."""
        log.exception("frame of session %s failed", self.session.id)
        self._send(events.error("this step could not be drawn; training goes on"))

    def _diverged(self, exc: Exception, step: int) -> None:
        """Training diverged at ``step``: stop, and tell this tab and every follower."""
        self.session.running = False
        message = f"Training diverged ({exc}). Press reset to start again."
        self._send_all(events.diverged(step, message))
        self._send_state()

    def _tell_followers(self, event: events.Event) -> None:
        text = events.text(event)
        for follower in self.followers:
            follower.send_text(text)

    def _send_state(self) -> None:
        self._send_all(events.state(self.session.state(), self.follower_count()))

    def follower_count(self) -> int:
        """How many watch this session, here and on other instances (not their relay)."""
        relayed = self.relay is not None and self.relay in self.followers
        return len(self.followers) - relayed + self.remote_followers

    def follow(self, outbox: Outbox) -> None:
        """A follower joins: it gets every frame and state from now on, starting at once."""
        self.followers.add(outbox)
        self.recounted(outbox)

    def recounted(self, joiner: Outbox | None = None) -> None:
        """The followers changed: everyone hears how many, and ``joiner`` (a follower, or the
        relay of new followers elsewhere) is offered the last frame. Nothing is drawn again:
        a class joining one by one would redraw the frame for everyone at every join."""
        if joiner is not None:
            if self.last_frame is None:
                self.dirty = True  # nothing drawn yet: the first frame goes to every follower
                self.wake.set()
            elif joiner is self.relay:
                self._carry_again = True  # with the count: once for all that join elsewhere
            else:
                joiner.offer_frame(self.last_frame)
        self._count_changed()

    def unfollow(self, outbox: Outbox) -> None:
        self.followers.discard(outbox)
        self._count_changed()

    def _count_changed(self) -> None:
        """Say the new count in a state, once for all the changes of ``COUNT_WAIT`` seconds: a
        class of 500 joining at once would otherwise send 125,000 states (a joiner's hello has
        the state already)."""
        if self._count_call is None:
            loop = asyncio.get_running_loop()
            self._count_call = loop.call_later(COUNT_WAIT, self._tell_count)

    def _tell_count(self) -> None:
        self._count_call = None
        if self._carry_again and self.relay is not None and self.last_frame is not None:
            self.relay.offer_frame(self.last_frame)
        self._carry_again = False
        self._send_state()

    def show_lesson(self, shown: dict[str, Any] | None) -> None:
        """The page shows this lesson step (or none): keep it and tell every follower."""
        self.lesson = shown
        self._tell_followers(events.lesson(shown))
