"""Follow mode across instances through Redis (``--broker``): a teacher on instance a, its
followers on instance b, each a real server; the clients note what they receive (texts as
events, the step of every frame) and ack frames as the page does."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient
from websockets.asyncio.client import ClientConnection, connect
from websockets.sync.client import connect as sync_connect

from engine.encoding import read_header
from server.app import create_app
from server.broker import Broker
from server.brokerfollow import BACK, BROKER_LOST, LEADER_GONE, LOST_FIELD
from server.brokerwire import FRAME, TEXT, channel
from server.outbox import Outbox
from server.settings import Settings
from tests.live_server import LiveServer, live_server
from tests.nginx import nginx_proxy
from tests.redis import redis_server
from tests.server.recorder import Recorder
from tests.server.wsutil import run_async
from tests.services import free_port

pytestmark = pytest.mark.timeout(120)


class Watcher:
    """One socket, read by a task of its own until :meth:`close`."""

    def __init__(self, ws: ClientConnection, ack: bool = True) -> None:
        self.ws, self.ack = ws, ack
        self.events: list[dict[str, Any]] = []
        self.steps: list[int] = []
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, url: str, ack: bool = True) -> Watcher:
        return cls(await connect(url, max_size=None, max_queue=None), ack)

    async def _read(self) -> None:
        async for message in self.ws:
            if isinstance(message, bytes):
                self.steps.append(int(read_header(message)["step"]))
                if self.ack:
                    await self.ws.send(json.dumps({"type": "ack"}))
            else:
                self.events.append(json.loads(message))

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event["type"] == kind]

    async def send(self, **message: Any) -> None:
        await self.ws.send(json.dumps(message))

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()
        await asyncio.gather(self.reader, return_exceptions=True)


async def until(done: Callable[[], bool], what: str, seconds: float = 10.0) -> None:
    """Wait until ``done()`` holds (checked every few milliseconds); fail saying ``what``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not done():
        if loop.time() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        await asyncio.sleep(0.005)


async def hello_of(watcher: Watcher) -> dict[str, Any]:
    await until(lambda: bool(watcher.of("hello")), "a hello")
    return watcher.of("hello")[0]


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture(scope="module")
def pair(redis_url: str) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Instances a and b, both on the broker."""
    with (
        live_server("--broker", redis_url, "--instance", "a") as a,
        live_server("--broker", redis_url, "--instance", "b") as b,
    ):
        yield a, b


async def teacher_and_class(a: str, b: str, path: str, size: int) -> tuple[Watcher, list[Watcher]]:
    """A teacher on ``a`` (socket ``path``) and ``size`` followers of it on ``b``, each with
    the frame a join brings, the teacher told how many follow."""
    teacher = await Watcher.open(a + path)
    session = (await hello_of(teacher))["session"]
    followers = await asyncio.gather(
        *(Watcher.open(f"{b}{path}?follow={session}") for _ in range(size))
    )
    await until(lambda: all(f.steps for f in followers), "every follower's first frame")
    await until(
        lambda: any(s["followers"] == size for s in teacher.of("state")),
        f"the teacher's state counting {size} followers",
    )
    return teacher, list(followers)


async def every_frame_in_order(a: str, b: str, steps: int, served_by: set[str]) -> None:
    """A teacher on ``a`` and 30 followers on ``b`` (or both through the proxy), the followers
    served by the instances ``served_by`` between them: each sees the frames of steps 1 to
    ``steps``, in order, and the teacher's lesson step."""
    teacher, followers = await teacher_and_class(a, b, "ws", 30)
    session = (await hello_of(teacher))["session"]
    serving = set()
    for follower in followers:
        hello = await hello_of(follower)
        assert hello["session"] == session and hello["follow"] is True
        serving.add(hello["instance"])  # the instance serving the follower's socket
        assert hello["lesson"] is None and hello["config"] == teacher.of("hello")[0]["config"]
    assert serving == served_by
    await asyncio.sleep(0.3)  # the frames the joins brought have all arrived
    for follower in followers:
        follower.steps.clear()
    for step in range(1, steps + 1):
        await teacher.send(type="step", count=1)
        await until(
            lambda: all(f.steps and f.steps[-1] >= step for f in followers),  # noqa: B023
            f"step {step}'s frame at every follower",
        )
    for follower in followers:
        assert follower.steps == list(range(1, steps + 1))
    await teacher.send(type="lesson", name="01-linear-layer", step=1)
    shown = {"name": "01-linear-layer", "step": 1}
    await until(
        lambda: all(shown in [e["lesson"] for e in f.of("lesson")] for f in followers),
        "the lesson step at every follower",
    )
    for watcher in (teacher, *followers):
        await watcher.close()


def test_thirty_followers_elsewhere_receive_every_frame_in_order(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    a, b = pair
    run_async(every_frame_in_order(base(a), base(b), 15, {"b"}))


def test_followers_through_the_proxy_are_spread_over_both_and_miss_nothing(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    """nginx configured for a broker sends follow sockets to any instance: the class is shared
    by both, whichever holds the teacher's session."""
    listed = [
        (name, s.url.removeprefix("http://").rstrip("/"))
        for name, s in zip("ab", pair, strict=True)
    ]
    with nginx_proxy(listed, broker=True) as proxy:
        url = proxy.replace("http://", "ws://")
        run_async(every_frame_in_order(url, url, 10, {"a", "b"}))


def base(server: LiveServer) -> str:
    return server.ws_url.removesuffix("ws")


async def conv_followers(a: str, b: str) -> None:
    teacher, followers = await teacher_and_class(a, b, "ws/conv", 3)
    for follower in followers:
        hello = await hello_of(follower)
        assert hello["mode"] == "conv" and hello["follow"] is True
    await teacher.send(type="step", count=5)
    await until(lambda: all(5 in f.steps for f in followers), "the conv frame of step 5")
    await teacher.send(type="play")
    await until(lambda: all(f.of("state")[-1]["running"] for f in followers), "a running state")
    for watcher in (teacher, *followers):
        await watcher.close()


def test_conv_followers_elsewhere_see_the_teachers_frames(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    a, b = pair
    run_async(conv_followers(base(a), base(b)))


async def refusals(a: str, b: str) -> list[tuple[dict[str, Any], int | None]]:
    """What a follower on ``b`` gets for a session that no instance holds, and for a conv
    session followed as a fold one."""
    conv = await Watcher.open(a + "ws/conv")
    session = (await hello_of(conv))["session"]
    got: list[tuple[dict[str, Any], int | None]] = []
    for url in (f"{b}ws?follow=a-0123456789ab", f"{b}ws?follow={session}"):
        async with connect(url) as ws:
            event = json.loads(await ws.recv())
            await ws.wait_closed()
            got.append((event, ws.close_code))
    await conv.close()
    return got


def test_a_session_no_instance_holds_is_refused_as_today(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    a, b = pair
    for event, code in run_async(refusals(base(a), base(b))):
        assert event["type"] == "error" and event["field"] == "follow", event
        assert code is not None and code != 1000


def test_without_a_broker_a_session_elsewhere_cannot_be_followed(
    pair: tuple[LiveServer, LiveServer], tmp_path: Path
) -> None:
    a, _ = pair
    with sync_connect(a.ws_url, max_size=None) as teacher:
        session = json.loads(teacher.recv())["session"]
        settings = Settings(device="cpu", data_dir=tmp_path, instance="b")
        with (
            TestClient(create_app(settings)) as client,
            client.websocket_connect(f"/ws?follow={session}") as ws,
        ):
            error = ws.receive_json()
            closed = ws.receive()
    assert error["type"] == "error" and error["field"] == "follow"
    assert "no session" in error["message"]
    assert closed["type"] == "websocket.close" and closed["code"] == 1008


def test_an_unreachable_broker_stops_the_start_with_one_line(tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    with pytest.raises(RuntimeError) as refused:
        create_app(Settings(device="cpu", data_dir=tmp_path, broker=url))
    message = str(refused.value)
    assert message.startswith("cannot use the Redis broker") and "\n" not in message


async def teacher_killed(a: LiveServer, b: str) -> None:
    teacher, followers = await teacher_and_class(base(a), b, "ws", 3)
    await teacher.send(type="play")
    await until(lambda: all(len(f.steps) > 3 for f in followers), "frames while training")
    os.kill(a.process.pid, signal.SIGKILL)
    loop = asyncio.get_running_loop()
    killed = loop.time()
    lost = {"type": "error", "message": LEADER_GONE, "field": LOST_FIELD, "allowed": None}
    await until(lambda: all(lost in f.of("error") for f in followers), "the error", 6.0)
    assert loop.time() - killed < 5.0
    for follower in followers:
        assert follower.of("error").count(lost) == 1
        await follower.send(type="ping")
    await until(lambda: all(f.of("pong") for f in followers), "a pong: the sockets stay open")
    await teacher.close()
    for follower in followers:
        await follower.close()


def test_followers_of_a_killed_instance_are_told_and_stay(
    pair: tuple[LiveServer, LiveServer], redis_url: str
) -> None:
    _, b = pair
    with live_server("--broker", redis_url, "--instance", "c") as c:
        run_async(teacher_killed(c, base(b)))


async def redis_lost_and_back(
    a: str, b: str, stop: Callable[[], None], start: Callable[[], None]
) -> None:
    teacher, followers = await teacher_and_class(a, b, "ws", 2)
    await teacher.send(type="play")
    await until(lambda: all(len(f.steps) > 3 for f in followers), "frames while training")
    stop()
    lost = {"type": "error", "message": BROKER_LOST, "field": LOST_FIELD, "allowed": None}
    await until(lambda: all(lost in f.of("error") for f in followers), "the error", 6.0)
    trained = len(teacher.steps)
    await until(lambda: len(teacher.steps) > trained + 5, "the teacher's frames: it trains on")
    for follower in followers:
        follower.steps.clear()
    start()
    back = {"type": "notice", "message": BACK, "field": LOST_FIELD}
    await until(lambda: all(back in f.of("notice") for f in followers), "the notice", 10.0)
    await until(lambda: all(len(f.steps) > 3 for f in followers), "frames again")
    await teacher.send(type="pause")
    for watcher in (teacher, *followers):
        await watcher.close()


def test_a_lost_redis_is_told_to_followers_and_they_go_on_when_it_is_back() -> None:
    port = free_port()
    server = redis_server(port)
    url = server.__enter__()
    try:
        with (
            live_server("--broker", url, "--instance", "a") as a,
            live_server("--broker", url, "--instance", "b") as b,
        ):

            def stop() -> None:
                server.__exit__(None, None, None)

            def start() -> None:
                nonlocal server
                server = redis_server(port)
                server.__enter__()

            run_async(redis_lost_and_back(base(a), base(b), stop, start))
            assert "Redis is lost" in a.log() and "Traceback" not in a.log() + b.log()
    finally:
        server.__exit__(None, None, None)


async def quiet_and_moved(url: str) -> None:
    broker = Broker(url, {}, {}, lambda session, mode: "c-new" if session == "a-old" else None)
    await broker.start()
    name = channel("fold", "a-old")
    try:
        followers = [Recorder(), Recorder()]
        for follower in followers:  # as each follower's socket does
            watch = await broker.watches.open("a-old", "fold")
            broker.watches.join(watch, cast(Outbox, follower))
        await broker.redis.publish(name, TEXT + b'{"type": "pong"}')
        await broker.redis.publish(name, FRAME + b"frame")
        await until(lambda: all(f.frames == [b"frame"] for f in followers), "the frame")
        assert all(f.texts == [{"type": "pong"}] for f in followers)
        moved = {"type": "moved", "session": "c-new"}
        await until(lambda: all(moved in f.texts for f in followers), "moved", 6.0)
        lost = {"type": "error", "message": LEADER_GONE, "field": LOST_FIELD, "allowed": None}
        assert all(f.texts[1:] == [lost, moved] for f in followers)
        await broker.redis.publish(name, TEXT + b'{"type": "pong"}')
        back = {"type": "notice", "message": BACK, "field": LOST_FIELD}
        await until(lambda: all(back in f.texts for f in followers), "the notice")
        for follower in followers:
            broker.watches.leave(watch, cast(Outbox, follower))
        for _ in range(100):  # the last follower gone, so is the subscription
            if await broker.redis.pubsub_numsub(name) == [(name.encode(), 0)]:
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("still subscribed")
    finally:
        await broker.stop()


def test_followers_of_a_quiet_leader_are_told_where_its_session_moved(redis_url: str) -> None:
    run_async(quiet_and_moved(redis_url))
