"""The side of an instance whose sockets follow a session held elsewhere.

One subscription per session followed from here, shared by every follower of it here: its
texts go to each follower's outbox in order, its frames are offered to each (every follower's
acks and window stay its own). While it has followers this instance says so on the watch
channel each second, and the instance that holds the session relays it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from engine import events
from server.autosaves import Mode
from server.brokerwire import (
    FRAME,
    GONE_AFTER,
    TEXT,
    WATCH,
    channel,
    leader_key,
    watch_message,
)
from server.outbox import Outbox

log = logging.getLogger("spacefold")

#: The field of the error that says the leader went quiet, and of the notice that it is back
#: (the socket stays open: the page goes on showing it).
LOST_FIELD = "follow"
LEADER_GONE = (
    "the teacher's session stopped answering (its server may have stopped); "
    "this view goes on when it is back"
)
BROKER_LOST = (
    "the link to the teacher's server (through Redis) is lost; this view goes on when it is back"
)
BACK = "the teacher's session answers again"
#: How long a follower waits for the key of a session that has only just opened: its
#: instance writes the keys of its sessions once a second (later on a busy machine).
KEY_WAIT = 3.0


class Watch:
    """The followers here of one session held elsewhere, and what was last heard of it."""

    def __init__(self, session: str, mode: Mode, now: float) -> None:
        self.session, self.mode = session, mode
        self.followers: set[Outbox] = set()
        self.joining = 0  # followers between their hello and joining
        self.subscribed = asyncio.Event()
        self.heard = now
        self.lost = False
        self.asking = False  # whether the session moved (see Watches.moved)
        self.moved: str | None = None  # where it did, told its followers
        self.frame: bytes | None = None  # the last frame heard: what a joiner here is shown

    def send(self, text: str) -> None:
        for outbox in self.followers:
            outbox.send_text(text)

    def add(self, outbox: Outbox) -> None:
        """A follower joins here: it is shown the last frame heard (if any; else the next)."""
        self.followers.add(outbox)
        if self.frame is not None:
            outbox.offer_frame(self.frame)

    def offer(self, frame: bytes) -> None:
        """A frame heard: every follower's, unless it is the last one carried again (for new
        followers elsewhere, see brokerleader.Relay.recount), which every follower here has."""
        if frame != self.frame:
            self.frame = frame
            for outbox in self.followers:
                outbox.offer_frame(frame)


class Watches:
    """``moved(session, mode)``: the id a session was reopened as (by its tab, after its
    instance stopped), or None; asked (in a thread) while a followed leader is quiet."""

    def __init__(
        self,
        redis: Redis,
        pubsub: PubSub,
        instance: str,
        moved: Callable[[str, Mode], str | None] | None = None,
    ) -> None:
        self.redis, self.pubsub, self.instance = redis, pubsub, instance
        self.moved = moved
        self.watches: dict[str, Watch] = {}  # by channel
        self.tasks: set[asyncio.Task[None]] = set()

    async def hello(self, session: str, mode: Mode, instance: str | None) -> events.Event | None:
        """The follower's hello (on ``instance``), from the key its leader keeps; None if there
        is none."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + KEY_WAIT
        while True:
            try:
                raw = await self.redis.get(leader_key(session))
            except (RedisError, OSError):  # busy or lost: ask again until the deadline
                raw = None
            hello = followers_hello(session, mode, raw, instance)
            if hello is not None:
                return hello
            if loop.time() >= deadline:
                return None
            await asyncio.sleep(0.25)

    async def open(self, session: str, mode: Mode) -> Watch:
        """The watch of ``session``, subscribed; the caller joins it next (or leaves)."""
        name = channel(mode, session)
        watch = self.watches.get(name)
        if watch is None:
            watch = self.watches[name] = Watch(session, mode, asyncio.get_running_loop().time())
        watch.joining += 1
        try:
            if not watch.subscribed.is_set():
                await self.pubsub.subscribe(name)
                await asyncio.wait_for(watch.subscribed.wait(), 5)
        except (RedisError, OSError, TimeoutError):
            pass  # Redis is lost: the follower is told, and the subscription comes back with it
        except BaseException:  # the socket went meanwhile: it will not join
            watch.joining -= 1
            self._drop_if_unwatched(watch)
            raise
        return watch

    def join(self, watch: Watch, outbox: Outbox) -> None:
        watch.joining -= 1
        watch.add(outbox)
        self._later(self._announce(watch))

    def leave(self, watch: Watch, outbox: Outbox) -> None:
        watch.followers.discard(outbox)
        self._later(self._announce(watch))
        self._drop_if_unwatched(watch)

    def _drop_if_unwatched(self, watch: Watch) -> None:
        name = channel(watch.mode, watch.session)
        if not watch.followers and not watch.joining and self.watches.get(name) is watch:
            del self.watches[name]
            self._later(self.pubsub.unsubscribe(name))

    def subscribed(self, name: str) -> None:
        watch = self.watches.get(name)
        if watch is not None:
            watch.subscribed.set()

    def received(self, name: str, data: bytes, now: float) -> None:
        """A message on a leader's channel: pass it on to its followers here."""
        watch = self.watches.get(name)
        if watch is None:
            return
        watch.heard = now
        if watch.lost:
            watch.lost = False
            watch.send(events.text(events.notice(BACK, LOST_FIELD)))
        kind = data[:1]
        if kind == TEXT:
            watch.send(data[1:].decode())
        elif kind == FRAME:
            watch.offer(data[1:])

    async def tick(self, now: float, broken: bool) -> None:
        """Tell followers of a leader gone quiet; say again what is followed from here."""
        for watch in self.watches.values():
            if not watch.lost and now - watch.heard > GONE_AFTER:
                watch.lost = True
                said = BROKER_LOST if broken else LEADER_GONE
                watch.send(events.text(events.error(said, LOST_FIELD)))
            if watch.lost and watch.moved is None and not watch.asking and self.moved:
                watch.asking = True
                self._later(self._ask_moved(watch, self.moved))
        if broken or not self.watches:
            return
        pipe = self.redis.pipeline(transaction=False)
        for watch in self.watches.values():
            message = watch_message(watch.session, watch.mode, self.instance, len(watch.followers))
            pipe.publish(WATCH, message)
        await pipe.execute()

    async def _ask_moved(self, watch: Watch, moved: Callable[[str, Mode], str | None]) -> None:
        """Tell the followers of a quiet leader where its session moved, if it did."""
        try:
            found = await asyncio.to_thread(moved, watch.session, watch.mode)
        except Exception:  # the store is down: ask again next tick
            found = None
        finally:
            watch.asking = False
        if found is not None and watch.lost and watch.moved is None:
            watch.moved = found
            watch.send(events.text(events.moved(found)))

    async def _announce(self, watch: Watch) -> None:
        message = watch_message(watch.session, watch.mode, self.instance, len(watch.followers))
        with contextlib.suppress(RedisError, OSError):  # said again each tick
            await self.redis.publish(WATCH, message)

    def _later(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self.tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("follow mode through Redis: %s", task.exception())

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def followers_hello(
    session: str, mode: Mode, raw: bytes | str | None, instance: str | None
) -> events.Event | None:
    """A follower's hello on ``instance`` from the key of ``session`` (None: none, or not of
    ``mode``)."""
    try:
        held: Any = json.loads(raw) if raw is not None else None
        if isinstance(held, dict) and held["mode"] == mode and isinstance(held["state"], dict):
            state, lesson = held["state"], held["lesson"]
            return events.hello(session, state, lesson, follow=True, instance=instance)
    except (ValueError, KeyError):
        pass
    return None
