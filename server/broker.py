"""Follow mode across instances, through Redis pub/sub (``--broker redis://…``).

A session lives on one instance; its followers may be on any. The instance holding it keeps a
key with what a follower's hello needs, and relays what its followers get while another
instance has followers of it (server.brokerleader); the followers' instance subscribes once per
session and hands each message to every follower of it there (server.brokerfollow). The wire:
server.brokerwire. One Redis connection listens for the whole instance; commands use a pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocket

from engine.schemas import StrictModel
from server.autosaves import Mode
from server.brokerwire import TICK, WATCH
from server.follow import watch

if TYPE_CHECKING:  # these need the redis package, which only a broker needs
    from server.brokerfollow import Watches
    from server.brokerleader import Relays
    from server.watched import Watched

log = logging.getLogger("spacefold")
#: Connections to Redis an instance holds at most (one listens, one writes the keys...).
MAX_CONNECTIONS = 16


def _client_library() -> Any:
    try:
        import redis.asyncio
    except ImportError:
        raise RuntimeError("a Redis broker needs redis: pip install 'spacefold[redis]'") from None
    return redis


def check_reachable(url: str) -> None:
    """Raise a one-line RuntimeError unless Redis at ``url`` answers (at start)."""
    redis = _client_library()
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        raise RuntimeError(f"cannot use the Redis broker: {exc}".strip()) from None
    finally:
        client.close()


class Broker:
    """Started and stopped with the app; ``fold`` and ``conv``: its live connections by id."""

    relays: Relays
    watches: Watches

    def __init__(
        self,
        url: str,
        fold: Mapping[str, Watched[Any]],
        conv: Mapping[str, Watched[Any]],
        moved: Callable[[str, Mode], str | None] | None = None,
    ) -> None:
        """``moved``: where a session was reopened (see brokerfollow.Watches). Raises a
        one-line RuntimeError when Redis does not answer."""
        check_reachable(url)
        self.url, self.moved = url, moved
        self.tables: dict[Mode, Mapping[str, Watched[Any]]] = {"fold": fold, "conv": conv}
        self.instance = uuid.uuid4().hex  # how the others tell this instance's followers apart
        self.broken = False  # Redis did not answer the last time it was asked
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        redis = _client_library()
        from server.brokerfollow import Watches
        from server.brokerleader import Relays

        # A few connections, shared: a class joining at once queues its requests on them
        # rather than opening a connection each (hundreds of connects time out on a busy
        # machine).
        pool = redis.asyncio.BlockingConnectionPool.from_url(
            self.url,
            max_connections=MAX_CONNECTIONS,
            timeout=5,
            socket_connect_timeout=2,
            socket_timeout=5,
        )
        self.redis = redis.asyncio.Redis(connection_pool=pool)
        self.pubsub = self.redis.pubsub()
        await self.pubsub.subscribe(WATCH)
        self.relays = Relays(self.redis, self.tables)
        self.watches = Watches(self.redis, self.pubsub, self.instance, self.moved)
        self.tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._tick())]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if not self.tasks:
            return  # it never started
        self.relays.close()
        await self.watches.close()
        with contextlib.suppress(Exception):
            await self.pubsub.aclose()
        with contextlib.suppress(Exception):
            await self.redis.aclose()

    async def follow(
        self,
        ws: WebSocket,
        session: str,
        mode: Mode,
        max_bytes: int,
        read: Callable[[Mapping[str, Any], int], StrictModel],
        instance: str | None = None,
    ) -> bool:
        """Follow ``session`` held on another instance (``instance``: this one's name, for the
        hello); False (and nothing sent) if no instance holds it."""
        hello = await self.watches.hello(session, mode, instance)
        if hello is None:
            return False
        followed = await self.watches.open(session, mode)
        await watch(
            ws,
            hello,
            lambda outbox: self.watches.join(followed, outbox),
            lambda outbox: self.watches.leave(followed, outbox),
            max_bytes,
            read,
        )
        return True

    def _lost(self, exc: BaseException) -> None:
        if not self.broken:
            log.warning("follow mode through Redis: Redis is lost (%s); trying again", exc)
        self.broken = True

    async def _listen(self) -> None:
        """Read everything this instance subscribed to, for as long as it runs."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                message = await self.pubsub.get_message(timeout=TICK)
            except Exception as exc:  # lost: the client connects and subscribes again
                self._lost(exc)
                await asyncio.sleep(TICK)
                continue
            if message is None:
                continue
            name = message["channel"].decode()
            if message["type"] == "subscribe":
                self.watches.subscribed(name)
            elif message["type"] == "message" and name == WATCH:
                self.relays.heard(message["data"], loop.time())
            elif message["type"] == "message":
                self.watches.received(name, message["data"], loop.time())

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(TICK)
            now = loop.time()
            try:
                await self.relays.tick(now)
                await self.watches.tick(now, self.broken)
            except Exception as exc:
                self._lost(exc)
                await self.watches.tick(now, True)
                continue
            if self.broken:
                log.warning("follow mode through Redis: Redis answers again")
            self.broken = False
