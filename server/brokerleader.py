"""The side of the instance that holds a session: relay what its followers get to Redis.

A relay is one more follower of the leader: an :class:`Outbox` whose "socket" publishes on the
session's channel, so texts keep their order, only the latest frame waits, and training never
waits on Redis. It exists only while another instance says it has followers of the session.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Mapping
from typing import Any, cast

from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.websockets import WebSocket

from server.autosaves import Mode
from server.brokerwire import (
    BEAT,
    FRAME,
    GONE_AFTER,
    KEY_SECONDS,
    TEXT,
    channel,
    leader_key,
    read_watch,
)
from server.outbox import Outbox
from server.watched import Watched

log = logging.getLogger("spacefold")


class Publisher:
    """What a relay's outbox sends, published; a lost Redis loses the message, nothing more."""

    def __init__(self, redis: Redis, name: str) -> None:
        self.redis, self.name = redis, name
        self.scope: dict[str, Any] = {}  # as a socket's, offering no extension (sharedframe)

    async def send_text(self, text: str) -> None:
        await self._publish(TEXT + text.encode())

    async def send_bytes(self, data: bytes) -> None:
        await self._publish(FRAME + data)

    async def _publish(self, payload: bytes) -> None:
        with contextlib.suppress(RedisError, OSError):  # the broker's tick logs a lost Redis
            await self.redis.publish(self.name, payload)


class Relay:
    """Relays ``leader`` while other instances say they have followers of it."""

    def __init__(self, leader: Watched[Any], redis: Redis, mode: Mode) -> None:
        self.leader = leader
        self.outbox = Outbox(asyncio.Event())
        publisher = cast(WebSocket, Publisher(redis, channel(mode, leader.session.id)))
        self.task = asyncio.create_task(self.outbox.run(publisher))
        self.heard: dict[str, tuple[int, float]] = {}  # instance -> (its followers, when)

    def count(self) -> int:
        return sum(followers for followers, _ in self.heard.values())

    def attach(self) -> None:
        self.leader.relay = self.outbox
        self.leader.remote_followers = self.count()
        self.leader.follow(self.outbox)  # a state and a frame follow, for the new followers

    def recount(self) -> None:
        """The remote followers changed: the leader tells everyone, and if there are more, the
        relay carries the last frame again for those who joined (their instance passes it to no
        follower that has it)."""
        count = self.count()
        grew = count > self.leader.remote_followers
        self.leader.remote_followers = count
        self.leader.recounted(self.outbox if grew else None)

    def detach(self) -> None:
        if self.leader.relay is self.outbox:
            self.leader.relay = None
            self.leader.remote_followers = 0
            self.leader.unfollow(self.outbox)
        self.task.cancel()


class Relays:
    """Every relay of this instance's leaders (``tables``: the live connections by mode)."""

    def __init__(self, redis: Redis, tables: Mapping[Mode, Mapping[str, Watched[Any]]]) -> None:
        self.redis, self.tables = redis, tables
        self.relays: dict[tuple[Mode, str], Relay] = {}

    def heard(self, data: bytes, now: float) -> None:
        """A watch message: another instance has ``followers`` of a session, maybe ours."""
        read = read_watch(data)
        if read is None:
            return
        session, mode, instance, followers = read
        leader = self.tables[mode].get(session)
        if leader is None:
            return
        relay = self.relays.get((mode, session))
        if relay is not None and relay.leader is not leader:  # a new socket took the session
            relay.detach()
            relay = None
        fresh = relay is None
        if relay is None:
            if not followers:
                return
            relay = Relay(leader, self.redis, mode)
        before = relay.count()
        if followers:
            relay.heard[instance] = (followers, now)
        else:
            relay.heard.pop(instance, None)
        if not relay.heard:
            relay.detach()
            self.relays.pop((mode, session), None)
        elif fresh:
            self.relays[mode, session] = relay
            relay.attach()
        elif relay.count() != before:
            relay.recount()

    async def tick(self, now: float) -> None:
        """Refresh every leader's key, beat on every relayed channel, drop what went quiet."""
        for (mode, session), relay in list(self.relays.items()):
            if self.tables[mode].get(session) is not relay.leader:
                relay.detach()
                del self.relays[mode, session]
                continue
            before = relay.count()
            relay.heard = {i: h for i, h in relay.heard.items() if now - h[1] < GONE_AFTER}
            if not relay.heard:
                relay.detach()
                del self.relays[mode, session]
            elif relay.count() != before:
                relay.recount()
        pipe = self.redis.pipeline(transaction=False)
        for mode, table in self.tables.items():
            for session, leader in table.items():
                held = {"mode": mode, "state": leader.session.state(), "lesson": leader.lesson}
                pipe.set(leader_key(session), json.dumps(held), ex=KEY_SECONDS)
        for mode, session in self.relays:
            pipe.publish(channel(mode, session), BEAT)
        if len(pipe):
            await pipe.execute()

    def close(self) -> None:
        for relay in self.relays.values():
            relay.detach()
        self.relays.clear()
