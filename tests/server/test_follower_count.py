"""A class joining at once is told its count in a few states, not one state per join."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, cast

from starlette.websockets import WebSocket

from server.outbox import Outbox
from server.settings import Settings
from server.watched import COUNT_WAIT, Watched
from tests.server.recorder import Recorder
from tests.server.wsutil import run_async


class Session:
    def __init__(self) -> None:
        self.id = "0123456789ab"
        self.lock = threading.Lock()
        self.running = False
        self.on_change: Callable[[], None] | None = None

    def state(self) -> dict[str, Any]:
        return {"step": 7}


async def a_class_joins_and_two_leave() -> list[dict[str, Any]]:
    leader = Watched(cast(WebSocket, None), Session(), cast(Any, None), Settings(), lambda: 0)
    heard = Recorder()
    leader.outbox = cast(Outbox, heard)
    leader.last_frame = b"the last frame"
    followers = [Outbox(asyncio.Event()) for _ in range(50)]
    for follower in followers:
        leader.follow(follower)
    assert all(follower.holds_frame for follower in followers)  # each shown the last frame
    assert heard.texts == []  # the count waits for the joins after it
    await asyncio.sleep(3 * COUNT_WAIT)
    leader.unfollow(followers[0])
    leader.unfollow(followers[1])
    await asyncio.sleep(3 * COUNT_WAIT)
    return heard.texts


def test_a_class_joining_at_once_hears_its_count_once() -> None:
    texts = run_async(a_class_joins_and_two_leave())
    assert [(t["type"], t["followers"], t["step"]) for t in texts] == [
        ("state", 50, 7),
        ("state", 48, 7),
    ]


async def followers_elsewhere_join() -> tuple[list[bytes], list[bytes]]:
    """The relay of followers on other instances is told of five joins there at once."""
    leader = Watched(cast(WebSocket, None), Session(), cast(Any, None), Settings(), lambda: 0)
    leader.outbox = cast(Outbox, Recorder())
    relay = Recorder()
    leader.relay = cast(Outbox, relay)
    leader.followers.add(leader.relay)
    leader.last_frame = b"the last frame"
    for _ in range(5):
        leader.recounted(leader.relay)
    before = list(relay.frames)
    await asyncio.sleep(3 * COUNT_WAIT)
    return before, relay.frames


def test_joins_elsewhere_have_the_last_frame_carried_again_once() -> None:
    before, after = run_async(followers_elsewhere_join())
    assert before == []
    assert after == [b"the last frame"]
