"""A tab that lost its socket gets its experiment back: every session is autosaved while it
changes and when its socket closes; ``/ws?resume=ID&key=KEY`` reopens it in a new session,
once, and followers of the old id are told where it went."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from server.app import create_app
from server.settings import Settings
from tests.server.wsutil import next_event, send


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path, autosave_seconds=0.2, instance="a")
    with TestClient(create_app(settings)) as c:
        yield c


def experiment(client: TestClient, session: str, prefix: str = "/api") -> dict[str, Any]:
    answer = client.get(f"{prefix}/sessions/{session}/experiment")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def edited(ws: WebSocketTestSession) -> dict[str, Any]:
    """Train a session 30 steps at width 3 on xor with a point added and a weight set by hand;
    its hello."""
    hello = next_event(ws, "hello")
    send(ws, type="configure", changes={"model": {"width": 3}, "data": {"dataset": "xor"}})
    send(ws, type="step", count=30)
    send(ws, type="add_point", x=0.25, y=-0.5, label=1)
    send(ws, type="set_weight", layer=1, row=0, col=1, value=0.75)
    for _ in range(4):
        next_event(ws, "state")
    return hello


def test_a_reconnecting_tab_gets_its_points_weights_and_step_back(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        hello = edited(ws)
        before = experiment(client, hello["session"])
    assert hello["instance"] == "a" and hello["session"].startswith("a-")
    old, key = hello["session"], hello["resume"]
    with client.websocket_connect(f"/ws?resume={old}&key={key}") as ws:
        again = next_event(ws, "hello")
        after = experiment(client, again["session"])
    assert again["session"] != old and again["session"].startswith("a-")
    restored = again["restored"]
    assert restored["from"] == old and restored["final"] is True
    assert restored["step"] == 30 == again["step"] and restored["instance"] == "a"
    assert 0 <= restored["age"] < 30
    assert after == before  # config, points, weights (the hand-set one too) and step


def test_a_session_is_autosaved_while_it_trains(client: TestClient) -> None:
    autosaves = client.app.state.autosaves  # type: ignore[attr-defined]
    with client.websocket_connect("/ws") as ws:
        session = next_event(ws, "hello")["session"]
        send(ws, type="play")
        steps: list[int] = []
        deadline = time.monotonic() + 20
        while len(set(steps)) < 3 and time.monotonic() < deadline:
            ws.receive()  # frames and states; the autosave runs meanwhile
            row = autosaves.database.execute(
                "SELECT step FROM autosaves WHERE id = ?", (session,)
            ).fetchone()
            if row is not None:
                steps.append(row[0])
        send(ws, type="pause")
    assert len(set(steps)) >= 3 and steps == sorted(steps), steps


def test_an_autosave_reopens_once_and_only_with_its_own_key(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        hello = edited(ws)
    old, key = hello["session"], hello["resume"]
    with client.websocket_connect(f"/ws?resume={old}&key=not-{key}") as ws:
        fresh = next_event(ws, "hello")
        refusal = next_event(ws, "error")
    assert "restored" not in fresh and fresh["step"] == 0
    assert refusal["field"] == "resume" and "was not this tab's" in refusal["message"]
    with client.websocket_connect(f"/ws?resume={old}&key={key}") as ws:
        assert next_event(ws, "hello")["restored"]["step"] == 30
    with client.websocket_connect(f"/ws?resume={old}&key={key}") as ws:
        assert "restored" not in next_event(ws, "hello")
        assert "reopened already" in next_event(ws, "error")["message"]
    with client.websocket_connect("/ws?resume=a-000000000000&key=x") as ws:
        next_event(ws, "hello")
        assert "no autosave" in next_event(ws, "error")["message"]


def test_followers_of_a_reopened_session_are_told_where_it_went(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        hello = edited(ws)
    old, key = hello["session"], hello["resume"]
    with client.websocket_connect(f"/ws?resume={old}&key={key}") as ws:
        new = next_event(ws, "hello")["session"]
        with client.websocket_connect(f"/ws?follow={old}") as follower:
            assert next_event(follower, "moved") == {"type": "moved", "session": new}
        with client.websocket_connect(f"/ws?follow={new}") as follower:
            followed = next_event(follower, "hello")
            assert followed["follow"] is True and "resume" not in followed


def test_a_follower_of_a_session_whose_server_stopped_is_told_to_wait(
    client: TestClient,
) -> None:
    """An autosave neither final nor taken: its instance died with the session open."""
    autosaves = client.app.state.autosaves  # type: ignore[attr-defined]
    autosaves.put("b-0123456789ab", "fold", "k", "b", 5, {}, final=False)
    with client.websocket_connect("/ws?follow=b-0123456789ab") as follower:
        told = next_event(follower, "error")
        assert told["field"] == "follow" and "stopped with its server" in told["message"]
        assert follower.receive()["code"] == 1013


def test_a_conv_tab_gets_its_experiment_back(client: TestClient) -> None:
    with client.websocket_connect("/ws/conv") as ws:
        hello = next_event(ws, "hello")
        send(ws, type="step", count=12)
        send(ws, type="set_kernel", layer=0, channel=0, weights=[0.5, -0.25, 1.0] * 3)
        for _ in range(2):
            next_event(ws, "state")
        before = experiment(client, hello["session"], "/api/conv")
    old, key = hello["session"], hello["resume"]
    with client.websocket_connect(f"/ws/conv?resume={old}&key={key}") as ws:
        again = next_event(ws, "hello")
        after = experiment(client, again["session"], "/api/conv")
    assert again["restored"]["step"] == 12 and after == before


def test_a_tab_reconnecting_before_its_old_socket_closed_takes_its_session_over(
    client: TestClient,
) -> None:
    """The old socket is still held (half-open, as after a network change): it is let go, its
    last autosave written, and the new socket reopens it with nothing lost."""
    with client.websocket_connect("/ws") as old_ws:
        hello = edited(old_ws)
        before = experiment(client, hello["session"])
        resume = f"/ws?resume={hello['session']}&key={hello['resume']}"
        with client.websocket_connect(resume) as ws:
            again = next_event(ws, "hello")
            assert again["restored"]["final"] is True and again["restored"]["step"] == 30
            assert experiment(client, again["session"]) == before
            answer = client.get(f"/api/sessions/{hello['session']}/experiment")
            assert answer.status_code == 404  # the old session is gone


def test_autosaves_older_than_a_day_are_forgotten(client: TestClient) -> None:
    autosaves = client.app.state.autosaves  # type: ignore[attr-defined]
    autosaves.put("a-00000000000a", "fold", "k", "a", 1, {"x": 1})
    assert autosaves.prune() == 0  # written now: kept
    assert autosaves.prune(older_than=-1.0) == 1
    assert autosaves.stopped("a-00000000000a", "fold") is False  # no longer there


def test_what_became_of_a_session_is_read_at_one_moment(client: TestClient) -> None:
    """A session's whereabouts: stopped (its autosave neither final nor taken), moved (and
    where, through every move), or neither; each answered from one reading of its row."""
    autosaves = client.app.state.autosaves  # type: ignore[attr-defined]
    autosaves.put("a-0000000000a1", "fold", "k", "a", 1, {})
    assert autosaves.whereabouts("a-0000000000a1", "fold") == (None, True)
    autosaves.take("a-0000000000a1", "fold", "k", "b-0000000000b1")
    autosaves.put("b-0000000000b1", "fold", "k2", "b", 2, {})
    autosaves.take("b-0000000000b1", "fold", "k2", "c-0000000000c1")
    assert autosaves.whereabouts("a-0000000000a1", "fold") == ("c-0000000000c1", False)
    autosaves.put("a-0000000000a2", "fold", "k", "a", 1, {}, final=True)
    assert autosaves.whereabouts("a-0000000000a2", "fold") == (None, False)
    assert autosaves.whereabouts("a-0000000000a2", "conv") == (None, False)
