"""Follow mode: read-only viewers get the leader's frames and states."""

import asyncio
import contextlib
import json
from typing import Any

import websockets
from fastapi.testclient import TestClient

from engine.encoding import read_header
from tests.live_server import live_server
from tests.server.wsutil import next_event, next_frame, run_async, send


def test_followers_see_the_leaders_frames_and_cannot_drive(client: TestClient) -> None:
    with client.websocket_connect("/ws") as leader:
        session = next_event(leader, "hello")["session"]
        with (
            client.websocket_connect(f"/ws?follow={session}") as a,
            client.websocket_connect(f"/ws?follow={session}") as b,
        ):
            hello = next_event(a, "hello")
            assert hello["follow"] is True and hello["session"] == session
            next_event(b, "hello")
            send(leader, type="step", count=7)
            for follower in (a, b):
                header, _ = next_frame(follower)
                while header["step"] != 7:
                    header, _ = next_frame(follower)
            state = next_event(leader, "state")
            while state["followers"] != 2 or state["step"] != 7:
                state = next_event(leader, "state")
            send(a, type="play")
            assert "read-only" in next_event(a, "error")["message"]
            send(a, type="ping")
            next_event(a, "pong")
            send(leader, type="configure", changes={"model": {"width": 4}})
            state = next_event(b, "state")
            while state["config"]["model"]["width"] != 4:
                state = next_event(b, "state")
            header, _ = next_frame(b)
            while header["stages"][1]["width"] != 4:
                header, _ = next_frame(b)
        state = next_event(leader, "state")
        while state["followers"] != 0:
            state = next_event(leader, "state")
        assert state["step"] == 0  # the width change reset the step; the leader is intact


def test_a_follower_is_read_through_the_leaders_messages(client: TestClient) -> None:
    """A follower's message that is no valid message gets the error that says why, as the
    leader's would; a valid one that would change the session is refused as read-only."""
    with client.websocket_connect("/ws") as leader:
        session = next_event(leader, "hello")["session"]
        with client.websocket_connect(f"/ws?follow={session}") as follower:
            next_event(follower, "hello")
            for text, field in (
                ('{"type": "warp"}', "type"),
                ('{"type": "step", "count": 0}', "count"),
            ):
                leader.send_text(text)
                follower.send_text(text)
                refusals = [next_event(ws, "error") for ws in (leader, follower)]
                assert refusals[0] == refusals[1] and refusals[1]["field"] == field
            follower.send_text("{nope")
            assert next_event(follower, "error")["message"].startswith("malformed JSON")
            send(follower, type="set_weight", layer=1, row=0, col=0, value=0.5)
            assert "read-only" in next_event(follower, "error")["message"]


def test_following_a_session_that_does_not_exist(client: TestClient) -> None:
    with client.websocket_connect("/ws?follow=0123456789ab") as ws:
        error = ws.receive_json()
        assert error["field"] == "follow" and "no session" in error["message"]
        closed = ws.receive()
        assert closed["type"] == "websocket.close" and closed["code"] == 1008


async def thirty_followers(url: str, steps: int) -> tuple[list[int], list[list[int]]]:
    """A leader takes ``steps`` single steps; 30 followers (acking as the page does) note the
    step of every frame they receive. The leader goes on once every follower has its frame."""
    async with websockets.connect(url, max_size=None) as leader:
        session = json.loads(await leader.recv())["session"]
        seen: list[list[int]] = [[] for _ in range(30)]
        got = [asyncio.Event() for _ in range(30)]

        async def follow(i: int) -> None:
            async with websockets.connect(f"{url}?follow={session}", max_size=None) as ws:
                ready[i].set()
                async for message in ws:
                    if isinstance(message, bytes):
                        seen[i].append(int(read_header(message)["step"]))
                        await ws.send(json.dumps({"type": "ack"}))
                        got[i].set()

        ready = [asyncio.Event() for _ in range(30)]
        tasks = [asyncio.create_task(follow(i)) for i in range(30)]
        await asyncio.gather(*(r.wait() for r in ready))
        await asyncio.sleep(0.5)  # every follower has had the frame a join brings
        while True:  # and the leader has read the frames of step 0 that the joins brought
            try:
                await asyncio.wait_for(leader.recv(), 0.5)
            except TimeoutError:
                break
        for follower in seen:
            follower.clear()
        sent: list[int] = []
        for _ in range(steps):
            for event in got:
                event.clear()
            await leader.send(json.dumps({"type": "step", "count": 1}))
            while True:
                message = await leader.recv()
                if isinstance(message, bytes):
                    sent.append(int(read_header(message)["step"]))
                    break
            await asyncio.wait_for(asyncio.gather(*(event.wait() for event in got)), 30)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return sent, seen


def test_thirty_followers_receive_every_frame_of_the_leader() -> None:
    with live_server() as server:
        sent, seen = run_async(thirty_followers(server.ws_url, 12))
    assert sent == list(range(1, 13))
    for follower in seen:
        assert follower == sent


async def quiet_messages(ws: Any, quiet: float = 0.6) -> list[str | bytes]:
    """What ``ws`` receives until nothing comes for ``quiet`` seconds."""
    got: list[str | bytes] = []
    while True:
        try:
            got.append(await asyncio.wait_for(ws.recv(), quiet))
        except TimeoutError:
            return got


async def messages_until(ws: Any, done: Any, limit: float = 20.0) -> list[str | bytes]:
    """What ``ws`` receives up to the first message for which ``done`` holds (within
    ``limit`` seconds), then until it is quiet."""
    got: list[str | bytes] = []
    async with asyncio.timeout(limit):
        while not got or not done(got[-1]):
            got.append(await ws.recv())
    return got + await quiet_messages(ws, 0.3)


def is_frame(message: str | bytes) -> bool:
    return isinstance(message, bytes)


async def joins_of_a_paused_session(url: str, joiners: int) -> tuple[bytes, list[Any], list[Any]]:
    """A leader takes 3 steps and rests; then ``joiners`` followers join one after another.
    Returns the leader's last frame, what each follower received and what the leader
    received while they joined."""
    async with websockets.connect(url, max_size=None) as leader:
        session = json.loads(await leader.recv())["session"]
        await leader.send(json.dumps({"type": "step", "count": 3}))
        shown = await messages_until(leader, lambda m: is_frame(m) and read_header(m)["step"] == 3)
        last = [m for m in shown if isinstance(m, bytes)][-1]
        async with contextlib.AsyncExitStack() as stack:
            followed = []
            for _ in range(joiners):
                ws = await stack.enter_async_context(
                    websockets.connect(f"{url}?follow={session}", max_size=None)
                )
                followed.append(await messages_until(ws, is_frame))

            def counted(message: str | bytes) -> bool:
                event = json.loads(message) if isinstance(message, str) else {}
                return event.get("type") == "state" and event["followers"] == joiners

            during = await messages_until(leader, counted)
    return last, followed, during


def test_a_joiner_is_shown_the_last_frame_and_no_one_else_a_frame_again() -> None:
    """A follower joining is offered the frame its leader last drew, the same bytes; the leader
    and the followers already there hear the new count, and are sent no frame again (a class
    joining one by one would have the frame drawn and sent to all at every join)."""
    with live_server() as server:
        last, followed, during = run_async(joins_of_a_paused_session(server.ws_url, 3))
    for messages in followed:
        assert [m for m in messages if isinstance(m, bytes)] == [last]
        assert json.loads(messages[0])["type"] == "hello"
    assert not [m for m in during if isinstance(m, bytes)]
    counts = [json.loads(m)["followers"] for m in during if json.loads(m)["type"] == "state"]
    assert counts == sorted(counts) and counts[-1] == 3
